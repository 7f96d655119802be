/**
 * Splits text holding JSON Lines or concatenated JSON values (`{…}{…}`, pretty-printed or
 * not) into values. Scans bracket depth outside strings, so no value is parsed twice.
 */
export function* parseJsonValues(text: string): Generator<unknown> {
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      if (start === -1) throw new SyntaxError(`expected an object or array at offset ${i}`);
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
      if (depth < 0) throw new SyntaxError(`unbalanced ${String.fromCharCode(c)} at offset ${i}`);
      if (depth === 0) {
        yield JSON.parse(text.slice(start, i + 1));
        start = -1;
      }
    } else if (depth === 0 && !(c === 32 || c === 10 || c === 13 || c === 9)) {
      throw new SyntaxError(`unexpected ${JSON.stringify(text[i])} at offset ${i} between JSON values`);
    }
  }
  if (depth !== 0) throw new SyntaxError('truncated JSON value at end of input');
}

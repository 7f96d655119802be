/**
 * Splits text holding JSON Lines or concatenated JSON values (`{…}{…}`, pretty-printed or
 * not) into values. Scans bracket depth outside strings, so no value is parsed twice.
 */
export function* parseJsonValues(text: string): Generator<unknown> {
  for (const { value } of spans(text)) yield value;
}

function* spans(text: string): Generator<{ value: unknown; start: number }> {
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
      if (start === -1) throw at(new SyntaxError(`expected an object or array at offset ${i}`), i);
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
      if (depth < 0) throw at(new SyntaxError(`unbalanced ${String.fromCharCode(c)} at offset ${i}`), i);
      if (depth === 0) {
        let value: unknown;
        try {
          value = JSON.parse(text.slice(start, i + 1));
        } catch (err) {
          throw at(new SyntaxError((err as Error).message), start);
        }
        yield { value, start };
        start = -1;
      }
    } else if (depth === 0 && !(c === 32 || c === 10 || c === 13 || c === 9)) {
      throw at(
        new SyntaxError(`unexpected ${JSON.stringify(text[i])} at offset ${i} between JSON values`),
        i,
      );
    }
  }
  if (depth !== 0) throw at(new SyntaxError('truncated JSON value at end of input'), start);
}

/** One input item: a value, or why the text at that place is not one. */
export type JsonItem = { value: unknown; line: number } | { error: string; line: number };

/**
 * Like {@link parseJsonValues}, but a bad value does not end the input. JSON Lines (the first
 * value starts and ends on one line) are read line by line, so a malformed line is reported
 * with its number and the next line is read as usual. Concatenated values cannot be resynced
 * after a broken one: the error is reported and the input ends there.
 */
export function* readJsonItems(text: string): Generator<JsonItem> {
  const firstBreak = text.search(/\S/);
  const firstLineEnd = text.indexOf('\n', Math.max(0, firstBreak));
  const firstLine = text.slice(Math.max(0, firstBreak), firstLineEnd === -1 ? undefined : firstLineEnd);
  if (firstBreak !== -1 && isJson(firstLine.trim())) {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!.trim();
      if (l === '') continue;
      try {
        yield { value: JSON.parse(l), line: i + 1 };
      } catch (err) {
        yield { error: (err as Error).message, line: i + 1 };
      }
    }
    return;
  }
  let line = 1;
  let counted = 0;
  const lineAt = (offset: number) => {
    for (; counted < offset; counted++) if (text.charCodeAt(counted) === 10) line++;
    return line;
  };
  let offset = 0;
  try {
    for (const value of scanValues(text, (end) => {
      offset = end;
    })) {
      yield { value, line: lineAt(offset) };
    }
  } catch (err) {
    yield { error: (err as Error).message, line: lineAt((err as { offset?: number }).offset ?? offset) };
  }
}

/** Where in the text a syntax error is, for its line number. */
function at(err: SyntaxError, offset: number): SyntaxError {
  return Object.assign(err, { offset });
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return s.startsWith('{') || s.startsWith('[');
  } catch {
    return false;
  }
}

/** parseJsonValues, telling the caller where each value starts. */
function* scanValues(text: string, at: (start: number) => void): Generator<unknown> {
  for (const { value, start } of spans(text)) {
    at(start);
    yield value;
  }
}

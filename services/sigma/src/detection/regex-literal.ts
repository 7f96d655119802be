/**
 * A literal every match of a Sigma regular expression must contain, for the pre-filter:
 * `ipconfig\s+/all` cannot match a value without `ipconfig`. Only the top level of the
 * pattern is read — groups, classes, escapes other than punctuation, `.` and anchors end a
 * literal run, and an atom followed by `?`, `*` or `{` is optional — so whatever is returned
 * is certainly required. A top-level alternation yields nothing.
 *
 * The result is lowercased, as the pre-filter compares lowercased text. Case-insensitive
 * regexes match `s` against `ſ` and `k` against `K` (Kelvin), which lowercase differently, so
 * under `i` a run is also cut at those letters; non-ASCII characters cut a run always.
 */
export function regexLiteral(source: string, flags: string): string {
  let src = source;
  let ci = flags.includes('i');
  const inline = /^\(\?([a-zA-Z]+)\)/.exec(src);
  if (inline) {
    if (inline[1]!.includes('i')) ci = true;
    src = src.slice(inline[0].length);
  }
  const runs: string[] = [];
  let run = '';
  const cut = () => {
    if (run) runs.push(run);
    run = '';
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    let atom: string | undefined;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) return '';
      i++;
      if (/[A-Za-z0-9]/.test(n)) cut();
      else atom = n;
    } else if (c === '|') {
      return '';
    } else if (c === '[') {
      i = skipClass(src, i);
      if (i < 0) return '';
      cut();
    } else if (c === '(') {
      i = skipGroup(src, i);
      if (i < 0) return '';
      cut();
    } else if ('.^$)]}'.includes(c)) {
      cut();
    } else if ('*?{'.includes(c)) {
      // The previous atom may be absent: drop it from the run.
      run = run.slice(0, -1);
      cut();
      if (c === '{') {
        const close = src.indexOf('}', i);
        if (close > 0) i = close;
      }
    } else if (c === '+') {
      cut();
    } else atom = c;
    if (atom !== undefined) {
      const next = src[i + 1];
      // A quantified atom: optional (`?*{`) or repeated (`+`); either way it ends the run.
      if (next === '?' || next === '*' || next === '{') cut();
      else if (next === '+') {
        run += atom;
        cut();
      } else run += atom;
    }
  }
  cut();
  let best = '';
  for (const r of runs)
    for (const piece of r.split(ci ? /[^\x20-\x7e]|[sSkK]/ : /[^\x20-\x7e]/))
      if (piece.length > best.length) best = piece;
  return best.toLowerCase();
}

/** Index of the `]` closing the class opened at `start`, or -1. */
function skipClass(src: string, start: number): number {
  let i = start + 1;
  if (src[i] === '^') i++;
  if (src[i] === ']') i++;
  for (; i < src.length; i++) {
    if (src[i] === '\\') i++;
    else if (src[i] === ']') return i;
  }
  return -1;
}

/** Index of the `)` closing the group opened at `start`, or -1. */
function skipGroup(src: string, start: number): number {
  let depth = 0;
  for (let i = start; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (c === '[') {
      i = skipClass(src, i);
      if (i < 0) return -1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/**
 * JavaScript regular expressions (what the engine's `re` modifier compiles, after its own PCRE
 * translation and safety checks) as Lucene regexps. Lucene matches the whole value and has
 * no anchors, look-arounds, back-references or word boundaries; search semantics are
 * rebuilt with `.*` at the ends, `^`/`$` only where they can be honoured (at the very start or
 * end of the pattern or of its top-level alternatives), and classes are spelled out as JS
 * defines them (`\s` is Unicode white space, `.` excludes line terminators unless `s`).
 * Case-insensitivity (`i`) is folded into the pattern, as JS folds it without the `u` flag
 * (ASCII letters; other letters only outside classes). Anything else is an UnsupportedError.
 */
import { unsupported } from './errors.ts';
import { caseVariants, escapeRegexp } from './strings.ts';

type Range = [number, number];
type Atom =
  | { t: 'set'; ranges: Range[]; negated: boolean }
  | { t: 'group'; alts: Item[][] }
  | { t: 'start'; line: boolean }
  | { t: 'end'; line: boolean | 'final-newline' };
interface Item {
  atom: Atom;
  min: number;
  max: number;
}

const LINE_TERMINATORS: Range[] = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];
const DIGIT: Range[] = [[0x30, 0x39]];
const WORD: Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const SPACE: Range[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
const CONTROL: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13, '0': 0 };
/**
 * Counted repeats above this (`[^ ]{1,64}` after `.*`) make Lucene's automaton too large to determinize
 * (Elasticsearch refuses the query), so they are rejected here, with the reason.
 */
const MAX_COUNTED_REPEAT = 40;
const START_TOKEN = '(?<![\\s\\S])';
const END_TOKEN = '(?![\\s\\S])';
const FINAL_NEWLINE_TOKEN = '(?=\\n?(?![\\s\\S]))';

function fail(msg: string): never {
  return unsupported('regex', msg);
}

class Parser {
  i = 0;
  constructor(
    readonly src: string,
    readonly flags: string,
  ) {}

  parse(): Item[][] {
    const alts = this.alternation();
    if (this.i < this.src.length) fail(`unbalanced ')' at ${this.i}`);
    return alts;
  }

  alternation(): Item[][] {
    const alts: Item[][] = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      alts.push(this.sequence());
    }
    return alts;
  }

  sequence(): Item[] {
    const items: Item[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.atom();
      const [min, max] = this.quantifier();
      if ((min !== 1 || max !== 1) && (atom.t === 'start' || atom.t === 'end')) fail('a quantified anchor');
      items.push({ atom, min, max });
    }
    return items;
  }

  quantifier(): [number, number] {
    const c = this.src[this.i];
    let q: [number, number] | undefined;
    if (c === '*') q = [0, Number.POSITIVE_INFINITY];
    else if (c === '+') q = [1, Number.POSITIVE_INFINITY];
    else if (c === '?') q = [0, 1];
    if (q) this.i++;
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return [1, 1];
      this.i += m[0].length;
      const min = Number(m[1]);
      q = [min, m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3])];
    } else return [1, 1];
    if (this.src[this.i] === '?') this.i++; // lazy: the same set of matches
    return q;
  }

  atom(): Atom {
    const { src } = this;
    for (const [token, atom] of [
      [START_TOKEN, { t: 'start', line: false }],
      [END_TOKEN, { t: 'end', line: false }],
      [FINAL_NEWLINE_TOKEN, { t: 'end', line: 'final-newline' }],
    ] as const) {
      if (src.startsWith(token, this.i)) {
        this.i += token.length;
        return atom;
      }
    }
    const c = src[this.i++]!;
    const multiline = this.flags.includes('m');
    switch (c) {
      case '^':
        return { t: 'start', line: multiline };
      case '$':
        return { t: 'end', line: multiline };
      case '.':
        return this.flags.includes('s')
          ? { t: 'set', ranges: [[0, 0xffff]], negated: false }
          : { t: 'set', ranges: LINE_TERMINATORS, negated: true };
      case '[':
        return this.charClass();
      case '(':
        return this.group();
      case '\\':
        return this.escape();
      default:
        return this.char(c.charCodeAt(0));
    }
  }

  char(code: number): Atom {
    if (code >= 0xd800 && code <= 0xdfff) fail('a character outside the Basic Multilingual Plane');
    return { t: 'set', ranges: [[code, code]], negated: false };
  }

  group(): Atom {
    const { src } = this;
    if (src[this.i] === '?') {
      if (src[this.i + 1] === ':') this.i += 2;
      else if (src[this.i + 1] === '<' && /[A-Za-z_]/.test(src[this.i + 2] ?? '')) {
        this.i = src.indexOf('>', this.i) + 1;
      } else fail(`look-around '(?${src.slice(this.i + 1, this.i + 3)}' has no Lucene equivalent`);
    }
    const alts = this.alternation();
    if (src[this.i] !== ')') fail('unterminated group');
    this.i++;
    return { t: 'group', alts };
  }

  /** One escape outside a class. */
  escape(): Atom {
    const n = this.src[this.i++];
    if (n === undefined) return fail('a lone backslash');
    const cls = classEscape(n);
    if (cls) return cls;
    if (n === 'b' || n === 'B') fail('word boundaries (\\b, \\B) have no Lucene equivalent');
    if (/[1-9k]/.test(n)) fail('back-references have no Lucene equivalent');
    return this.char(this.escapedCode(n));
  }

  /** The character an escape other than a class stands for. */
  escapedCode(n: string): number {
    if (n in CONTROL) return CONTROL[n]!;
    if (n === 'x' || n === 'u') {
      const len = n === 'x' ? 2 : 4;
      const hex = this.src.slice(this.i, this.i + len);
      if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === len) {
        this.i += len;
        return Number.parseInt(hex, 16);
      }
      return n.charCodeAt(0);
    }
    if (n === 'c' && /[A-Za-z]/.test(this.src[this.i] ?? '')) return this.src.charCodeAt(this.i++) % 32;
    if (/[A-Za-z0-9]/.test(n)) fail(`the escape '\\${n}'`);
    return n.charCodeAt(0);
  }

  charClass(): Atom {
    const { src } = this;
    let negated = false;
    if (src[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const ranges: Range[] = [];
    while (this.i < src.length && src[this.i] !== ']') {
      const lo = this.classChar(ranges);
      if (lo === undefined) continue;
      if (src[this.i] === '-' && src[this.i + 1] !== ']' && this.i + 1 < src.length) {
        this.i++;
        const hi = this.classChar(ranges);
        if (hi === undefined || hi < lo) fail('a class range with a class at one end');
        ranges.push([lo, hi!]);
      } else ranges.push([lo, lo]);
    }
    if (src[this.i] !== ']') fail('unterminated character class');
    this.i++;
    if (ranges.length === 0) fail(negated ? "'[^]'" : "an empty class '[]'");
    return { t: 'set', ranges, negated };
  }

  /** One class member: a character code, or undefined after adding a class escape's ranges. */
  classChar(ranges: Range[]): number | undefined {
    const c = this.src[this.i++]!;
    if (c !== '\\') {
      const code = c.charCodeAt(0);
      if (code >= 0xd800 && code <= 0xdfff) fail('a character outside the Basic Multilingual Plane');
      return code;
    }
    const n = this.src[this.i++] ?? fail('a lone backslash');
    if (n === 'b') return 8;
    if (n === 'D' || n === 'W' || n === 'S') fail(`'\\${n}' inside a class`);
    const cls = classEscape(n);
    if (cls?.t === 'set') {
      ranges.push(...cls.ranges);
      return undefined;
    }
    return this.escapedCode(n);
  }
}

function classEscape(n: string): Atom | undefined {
  const base =
    n === 'd' || n === 'D'
      ? DIGIT
      : n === 'w' || n === 'W'
        ? WORD
        : n === 's' || n === 'S'
          ? SPACE
          : undefined;
  return base && { t: 'set', ranges: base, negated: n === n.toUpperCase() };
}

/** Adds the other case of every ASCII letter (JS `i` without `u`); other cased letters are refused. */
function foldRanges(ranges: Range[]): Range[] {
  const out = [...ranges];
  for (const [lo, hi] of ranges) {
    if (lo === 0 && hi === 0xffff) return ranges;
    for (let c = lo; c <= Math.min(hi, 0x7f); c++) {
      const ch = String.fromCharCode(c);
      if (/[a-z]/.test(ch)) out.push([c - 32, c - 32]);
      else if (/[A-Z]/.test(ch)) out.push([c + 32, c + 32]);
    }
    if (hi > 0x7f) {
      for (let c = Math.max(lo, 0x80); c <= hi; c++) {
        const ch = String.fromCharCode(c);
        if (ch.toLowerCase() !== ch.toUpperCase()) {
          if (lo === hi)
            return [...out, ...caseVariants(ch).map((v): Range => [v.charCodeAt(0), v.charCodeAt(0)])];
          fail('a case-insensitive class range over non-ASCII letters');
        }
      }
    }
  }
  return out;
}

function emitSet(atom: Extract<Atom, { t: 'set' }>, ci: boolean): string {
  const ranges = ci ? foldRanges(atom.ranges) : atom.ranges;
  if (!atom.negated && ranges.length === 1 && ranges[0]![0] === 0 && ranges[0]![1] === 0xffff) return '.';
  if (!atom.negated && ranges.every(([lo, hi]) => lo === hi) && new Set(ranges.map((r) => r[0])).size === 1) {
    return escapeRegexp(String.fromCharCode(ranges[0]![0]));
  }
  const body = ranges
    .map(([lo, hi]) => {
      const a = escapeRegexp(String.fromCharCode(lo));
      return lo === hi ? a : `${a}-${escapeRegexp(String.fromCharCode(hi))}`;
    })
    .join('');
  return `[${atom.negated ? '^' : ''}${body}]`;
}

function emitItems(items: Item[], ci: boolean): string {
  let out = '';
  for (const { atom, min, max } of items) {
    if (atom.t === 'start' || atom.t === 'end') fail("an anchor ('^', '$', \\A, \\z) inside the pattern");
    const body =
      atom.t === 'group'
        ? `(${atom.alts.map((a) => emitItems(a, ci) || '()').join('|')})`
        : emitSet(atom, ci);
    if (Math.max(min, max === Number.POSITIVE_INFINITY ? min : max) > MAX_COUNTED_REPEAT) {
      fail(
        `the counted repeat {${min},${max === Number.POSITIVE_INFINITY ? '' : max}} is too large for Lucene to determinize`,
      );
    }
    if (min === 1 && max === 1) out += body;
    else if (min === 0 && max === Number.POSITIVE_INFINITY) out += `${body}*`;
    else if (min === 1 && max === Number.POSITIVE_INFINITY) out += `${body}+`;
    else if (min === 0 && max === 1) out += `${body}?`;
    else out += `${body}{${min},${max === Number.POSITIVE_INFINITY ? '' : max}}`;
  }
  return out;
}

const LT = `[${LINE_TERMINATORS.map(([lo, hi]) => (lo === hi ? String.fromCharCode(lo) : `${String.fromCharCode(lo)}-${String.fromCharCode(hi)}`)).join('')}]`;

type StartKind = 'none' | 'line' | 'abs';
type EndKind = 'none' | 'line' | 'abs' | 'final-newline';

/** One top-level alternative (or the alternatives of a lone group in it), anchors resolved. */
function emitAlternative(items: Item[], start: StartKind, end: EndKind, ci: boolean): string[] {
  let s = start;
  let e = end;
  let lo = 0;
  let hi = items.length;
  while (lo < hi && items[lo]!.atom.t === 'start') {
    const a = items[lo++]!.atom as { line: boolean };
    s = s === 'abs' || !a.line ? 'abs' : 'line';
  }
  while (hi > lo && items[hi - 1]!.atom.t === 'end') {
    const a = items[--hi]!.atom as { line: boolean | 'final-newline' };
    e =
      e === 'abs' || a.line === false
        ? 'abs'
        : a.line === 'final-newline' && e !== 'line'
          ? 'final-newline'
          : 'line';
  }
  const rest = items.slice(lo, hi);
  const only = rest[0];
  if (rest.length === 1 && only?.atom.t === 'group' && only.min === 1 && only.max === 1) {
    return only.atom.alts.flatMap((alt) => emitAlternative(alt, s, e, ci));
  }
  const head = s === 'abs' ? '' : s === 'line' ? `(.*${LT})?` : '.*';
  const tail = e === 'abs' ? '' : e === 'line' ? `(${LT}.*)?` : e === 'final-newline' ? '\n?' : '.*';
  return [head + emitItems(rest, ci) + tail];
}

/** A JS RegExp (search semantics) as a Lucene regexp matching the same whole values. */
export function luceneRegexp(re: RegExp): string {
  const flags = re.flags;
  if (flags.includes('u') || flags.includes('v')) fail('the u / v flags');
  const alts = new Parser(re.source, flags).parse();
  const ci = flags.includes('i');
  const out = alts.flatMap((alt) => emitAlternative(alt, 'none', 'none', ci));
  return out.length === 1 ? out[0]! : out.map((a) => `(${a})`).join('|');
}

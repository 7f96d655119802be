/**
 * Sigma string values: parsing (wildcards, escaping, placeholders, windash positions) into a
 * small pattern model, and compiling patterns into fast matchers. A pattern never becomes a
 * RegExp built from unescaped rule text: literals are escaped, and most patterns need no
 * RegExp at all (exact / startsWith / endsWith / includes / ordered indexOf).
 */

import { TokenGlob } from './glob-match.ts';

/** One piece of a parsed Sigma string. */
export type Part =
  | { readonly k: 'lit'; readonly s: string }
  /** `*`: any run of characters, possibly empty. */
  | { readonly k: 'star' }
  /** `?`: exactly one character. */
  | { readonly k: 'one' }
  /** A windash position: one of `-`, `/`, `–`, `—`, `―`. */
  | { readonly k: 'dash' }
  /** `%name%` under the `expand` modifier. */
  | { readonly k: 'ph'; readonly name: string };

export type Pattern = Part[];

export const STAR: Part = { k: 'star' };
export const ONE: Part = { k: 'one' };
export const DASH: Part = { k: 'dash' };
export const lit = (s: string): Part => ({ k: 'lit', s });

/** The characters `windash` makes interchangeable, in the spec's order. */
export const WINDASH_CHARS = ['-', '/', '\u2013', '\u2014', '\u2015'] as const;
const WINDASH_SET = new Set<string>(WINDASH_CHARS);

/**
 * Parses a Sigma string value. `*` and `?` are wildcards; a backslash escapes `*`, `?` and
 * itself; a backslash before any other character (or at the end) is a plain backslash.
 */
export function parseSigmaString(raw: string): Pattern {
  const out: Part[] = [];
  let acc = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      const next = raw[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        acc += next;
        i++;
      } else acc += '\\';
    } else if (c === '*' || c === '?') {
      if (acc !== '') out.push(lit(acc));
      acc = '';
      out.push(c === '*' ? STAR : ONE);
    } else acc += c;
  }
  if (acc !== '') out.push(lit(acc));
  return out;
}

const PLACEHOLDER = /(?<!\\)%(\w+)%/g;

/**
 * The `expand` modifier: `%name%` in literal text becomes a placeholder; `\%` is a plain `%`
 * (as pySigma: the escape is resolved after wildcard parsing, inside literal runs only).
 */
export function insertPlaceholders(p: Pattern): Pattern {
  const out: Part[] = [];
  for (const part of p) {
    if (part.k !== 'lit') {
      out.push(part);
      continue;
    }
    let last = 0;
    for (const m of part.s.matchAll(PLACEHOLDER)) {
      const before = part.s.slice(last, m.index).replaceAll('\\%', '%');
      if (before !== '') out.push(lit(before));
      out.push({ k: 'ph', name: m[1]! });
      last = m.index + m[0].length;
    }
    const rest = part.s.slice(last).replaceAll('\\%', '%');
    if (rest !== '') out.push(lit(rest));
  }
  return out;
}

const WORD = /^[\p{L}\p{N}_]$/u;

function codePointBefore(s: string, i: number): string | undefined {
  if (i <= 0) return undefined;
  const lo = s.charCodeAt(i - 1);
  if (lo >= 0xdc00 && lo <= 0xdfff && i >= 2) {
    const hi = s.charCodeAt(i - 2);
    if (hi >= 0xd800 && hi <= 0xdbff) return s.slice(i - 2, i);
  }
  return s[i - 1];
}

function codePointAt(s: string, i: number): string | undefined {
  const cp = s.codePointAt(i);
  return cp === undefined ? undefined : String.fromCodePoint(cp);
}

/**
 * The `windash` modifier, as pySigma: a dash-like character that starts a word (no word
 * character before it, a word character after it, within one literal run) becomes a windash
 * position. `a-b` is left alone; ` -n` and `/c` are marked. The spec's five characters are
 * all recognised as the written form, not only `-` and `/`.
 */
export function markWindash(p: Pattern): Pattern {
  const out: Part[] = [];
  for (const part of p) {
    if (part.k !== 'lit') {
      out.push(part);
      continue;
    }
    const s = part.s;
    let start = 0;
    for (let i = 0; i < s.length; i++) {
      if (!WINDASH_SET.has(s[i]!)) continue;
      const before = codePointBefore(s, i);
      const after = codePointAt(s, i + 1);
      if (before !== undefined && WORD.test(before)) continue;
      if (after === undefined || !WORD.test(after)) continue;
      if (i > start) out.push(lit(s.slice(start, i)));
      out.push(DASH);
      start = i + 1;
    }
    if (start < s.length) out.push(lit(s.slice(start)));
  }
  return out;
}

export function countDashes(p: Pattern): number {
  let n = 0;
  for (const part of p) if (part.k === 'dash') n++;
  return n;
}

/** Every permutation of the windash positions (5^n patterns). */
export function expandDashes(p: Pattern): Pattern[] {
  let acc: Part[][] = [[]];
  for (const part of p) {
    if (part.k !== 'dash') {
      for (const a of acc) a.push(part);
      continue;
    }
    const next: Part[][] = [];
    for (const a of acc) for (const c of WINDASH_CHARS) next.push([...a, lit(c)]);
    acc = next;
  }
  return acc.map(normalize);
}

/**
 * Replaces placeholders with every combination of their values (each value a Sigma string,
 * wildcards allowed). `lookup` returns the parsed values of one placeholder.
 */
export function substitutePlaceholders(
  p: Pattern,
  lookup: (name: string) => Pattern[],
  limit: number,
): Pattern[] {
  let acc: Part[][] = [[]];
  for (const part of p) {
    if (part.k !== 'ph') {
      for (const a of acc) a.push(part);
      continue;
    }
    const values = lookup(part.name);
    if (acc.length * values.length > limit) {
      throw new RangeError(`placeholders expand to more than ${limit} values`);
    }
    const next: Part[][] = [];
    for (const a of acc) for (const v of values) next.push([...a, ...v]);
    acc = next;
  }
  return acc.map(normalize);
}

/** Merges adjacent literals, drops empty ones and collapses runs of `*`. */
export function normalize(p: Pattern): Pattern {
  const out: Part[] = [];
  for (const part of p) {
    const prev = out[out.length - 1];
    if (part.k === 'lit') {
      if (part.s === '') continue;
      if (prev?.k === 'lit') out[out.length - 1] = lit(prev.s + part.s);
      else out.push(part);
    } else if (part.k === 'star') {
      if (prev?.k !== 'star') out.push(STAR);
    } else out.push(part);
  }
  return out;
}

export function hasWildcard(p: Pattern): boolean {
  return p.some((part) => part.k === 'star' || part.k === 'one');
}

export function lowerPattern(p: Pattern): Pattern {
  return p.map((part) => (part.k === 'lit' ? lit(part.s.toLowerCase()) : part));
}

/** Adds the `*` the contains / startswith / endswith modifiers (and keyword search) imply. */
export function anchorPattern(p: Pattern, anchor: 'exact' | 'contains' | 'startswith' | 'endswith'): Pattern {
  const head = anchor === 'contains' || anchor === 'endswith';
  const tail = anchor === 'contains' || anchor === 'startswith';
  return normalize([...(head ? [STAR] : []), ...p, ...(tail ? [STAR] : [])]);
}

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

/** Escapes text for a `u`-flag RegExp (only syntax characters may be escaped there). */
export function escapeRegExp(s: string): string {
  return s.replace(REGEX_SYNTAX, '\\$&');
}

/** An anchored RegExp for a pattern with `?` or windash positions (literals escaped). */
export function patternToRegExp(p: Pattern): RegExp {
  let src = '^';
  for (const part of p) {
    if (part.k === 'lit') src += escapeRegExp(part.s);
    else if (part.k === 'star') src += '.*';
    else if (part.k === 'one') src += '.';
    else if (part.k === 'dash') src += '[-/\\u2013\\u2014\\u2015]';
    else throw new Error(`internal: unresolved placeholder %${part.name}%`);
  }
  return new RegExp(`${src}$`, 'su');
}

/**
 * A `*`-only pattern with inner literals (`a*b*c`): ordered, leftmost indexOf is exact for
 * such patterns and never backtracks.
 */
export class Glob {
  readonly head: string;
  readonly tail: string;
  readonly mids: string[];
  readonly minLength: number;

  /** `segments` are the literals between stars; `anchoredHead/Tail` whether no star precedes/follows. */
  constructor(segments: string[], anchoredHead: boolean, anchoredTail: boolean) {
    const segs = [...segments];
    this.head = anchoredHead ? (segs.shift() ?? '') : '';
    this.tail = anchoredTail ? (segs.pop() ?? '') : '';
    this.mids = segs;
    this.minLength = this.head.length + this.tail.length + segs.reduce((n, s) => n + s.length, 0);
  }

  test(s: string): boolean {
    if (s.length < this.minLength) return false;
    if (!s.startsWith(this.head) || !s.endsWith(this.tail)) return false;
    let pos = this.head.length;
    const end = s.length - this.tail.length;
    for (const m of this.mids) {
      const i = s.indexOf(m, pos);
      if (i < 0 || i + m.length > end) return false;
      pos = i + m.length;
    }
    return true;
  }
}

/** True when a literal needs no lowercasing of the event value: ASCII without letters. */
function caseless(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20;
    if (s.charCodeAt(i) > 0x7f || (c >= 0x61 && c <= 0x7a)) return false;
  }
  return true;
}

/** A strict decimal number as written in logs ("4688", "-1.5", "2e3"); no hex, no blanks. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseDecimal(s: string): number | undefined {
  if (s.length === 0 || s.length > 40 || !DECIMAL.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

const MANY_INFIXES = 8;
const SLOTS = 256;
/** Longer strings are lowercased each time rather than kept alive by the cache. */
const CACHE_MAX_LENGTH = 8192;
const cachedRaw: (string | undefined)[] = new Array(SLOTS).fill(undefined);
const cachedLower: string[] = new Array(SLOTS).fill('');

/**
 * `s.toLowerCase()`, remembered for the last strings seen: the many conditions evaluated on
 * one event see the same string objects, so a hit costs a pointer comparison. Bounded memory
 * (256 slots of at most 8 KiB).
 */
export function lowerCached(s: string): string {
  const n = s.length;
  if (n < 8 || n > CACHE_MAX_LENGTH) return s.toLowerCase();
  const slot = (n * 31 + s.charCodeAt(n - 1) * 7 + s.charCodeAt(n >> 1)) & (SLOTS - 1);
  if (cachedRaw[slot] === s) return cachedLower[slot]!;
  const l = s.toLowerCase();
  cachedRaw[slot] = s;
  cachedLower[slot] = l;
  return l;
}

/**
 * Matches one event value against a set of compiled Sigma string patterns (OR). Strings are
 * lowercased once when the matcher is case-insensitive (and a literal has letters); numbers
 * and booleans in the event are matched through their string form, with exact literals and
 * numeric rule values compared as numbers without allocating.
 */
export class StringMatcher {
  readonly #exact = new Set<string>();
  readonly #prefixes: string[] = [];
  readonly #suffixes: string[] = [];
  readonly #infixes: string[] = [];
  /** Many `contains` literals: one alternation of escaped literals scans once instead of N includes. */
  #infixRe: RegExp | undefined;
  readonly #globs: Glob[] = [];
  readonly #tokenGlobs: TokenGlob[] = [];
  #any = false;
  /** Numbers an event *number* equals: numeric rule values and canonical numeric literals. */
  readonly #numbersForNumbers = new Set<number>();
  /** Numbers an event *string* parses to: numeric rule values only. */
  readonly #numbersForStrings = new Set<number>();
  readonly #booleans = new Set<boolean>();
  #lower = false;
  #nonExact = false;

  constructor(readonly caseInsensitive: boolean) {}

  #literal(s: string): string {
    if (!this.caseInsensitive) return s;
    const l = s.toLowerCase();
    if (!caseless(l)) this.#lower = true;
    return l;
  }

  /** Adds a pattern (placeholders and windash positions of it may remain only as regex). */
  addPattern(raw: Pattern): void {
    const p = normalize(raw);
    const only = p[0];
    if (p.length === 0) {
      this.#addExact('');
      return;
    }
    if (p.length === 1 && only?.k === 'lit') {
      this.#addExact(this.#literal(only.s));
      return;
    }
    this.#nonExact = true;
    if (p.every((part) => part.k === 'star' || part.k === 'lit')) {
      const segments = p.filter((part) => part.k === 'lit').map((part) => this.#literal(part.s));
      const first = p[0]!.k === 'star';
      const last = p[p.length - 1]!.k === 'star';
      if (segments.length === 0) this.#any = true;
      else if (segments.length === 1 && first && last) {
        this.#infixes.push(segments[0]!);
        this.#infixRe = undefined;
      } else if (segments.length === 1 && first) this.#suffixes.push(segments[0]!);
      else if (segments.length === 1 && last) this.#prefixes.push(segments[0]!);
      else this.#globs.push(new Glob(segments, !first, !last));
      return;
    }
    const lowered = p.map((part) => (part.k === 'lit' ? lit(this.#literal(part.s)) : part));
    this.#tokenGlobs.push(new TokenGlob(lowered));
  }

  #addExact(s: string): void {
    this.#exact.add(s);
    const n = parseDecimal(s);
    if (n !== undefined && String(n) === s) this.#numbersForNumbers.add(n);
    if (s === 'true') this.#booleans.add(true);
    if (s === 'false') this.#booleans.add(false);
  }

  /** A numeric rule value: equals event numbers and event strings holding that number. */
  addNumber(n: number): void {
    this.#numbersForNumbers.add(n);
    this.#numbersForStrings.add(n);
  }

  /** A boolean rule value: equals event booleans and the strings `true` / `false`. */
  addBoolean(b: boolean): void {
    this.#booleans.add(b);
    this.#exact.add(this.#literal(b ? 'true' : 'false'));
  }

  test(v: unknown): boolean {
    switch (typeof v) {
      case 'string':
        return this.testString(v);
      case 'number':
        if (this.#numbersForNumbers.has(v)) return true;
        return this.#nonExact && this.#testNonExact(this.#lower ? String(v).toLowerCase() : String(v));
      case 'boolean':
        if (this.#booleans.has(v)) return true;
        return this.#nonExact && this.#testNonExact(v ? 'true' : 'false');
      case 'bigint':
        return this.testString(String(v));
      default:
        return false;
    }
  }

  testString(raw: string): boolean {
    const s = this.#lower ? lowerCached(raw) : raw;
    if (this.#exact.has(s)) return true;
    if (this.#numbersForStrings.size > 0) {
      const n = parseDecimal(raw);
      if (n !== undefined && this.#numbersForStrings.has(n)) return true;
    }
    return this.#nonExact && this.#testNonExact(s);
  }

  /** Tests an already-normalised (lowercased when needed) string against the non-exact patterns. */
  #testNonExact(s: string): boolean {
    if (this.#any) return true;
    if (this.#infixes.length >= MANY_INFIXES) {
      this.#infixRe ??= new RegExp(this.#infixes.map(escapeRegExp).join('|'), 'u');
      if (this.#infixRe.test(s)) return true;
    } else for (const x of this.#infixes) if (s.includes(x)) return true;
    for (const x of this.#prefixes) if (s.startsWith(x)) return true;
    for (const x of this.#suffixes) if (s.endsWith(x)) return true;
    for (const g of this.#globs) if (g.test(s)) return true;
    for (const g of this.#tokenGlobs) if (g.test(s)) return true;
    return false;
  }

  /** Whether strings must be lowercased before {@link testLowered}. */
  get needsLowercase(): boolean {
    return this.#lower;
  }

  /** Keyword search: tests a string lowercased by the caller when {@link needsLowercase}. */
  testLowered(s: string): boolean {
    return this.#exact.has(s) || (this.#nonExact && this.#testNonExact(s));
  }
}

/**
 * Sigma string patterns (as the engine's own parser and modifiers produce them) as leaf
 * queries on one keyword field: a plain literal is a `term`, a literal then `*` a `prefix`,
 * other `*`/`?` patterns a `wildcard`, and patterns with windash positions a `regexp`.
 * Case-insensitive matching uses the queries' `case_insensitive` flag.
 */
import type { Pattern } from '../../detection/wildcard.ts';
import { prefix, type Query, regexp, term, wildcard } from './dsl.ts';

/** Escapes a literal for a wildcard query: `*`, `?` and `\` are special there. */
export function escapeWildcard(s: string): string {
  return s.replace(/[*?\\]/g, '\\$&');
}

/**
 * Escapes a literal for a Lucene regexp: every ASCII character that is not a letter, digit or
 * `_` gets a backslash (Lucene reads `\x` as the character x, except for letters, which name
 * classes such as `\d`); other characters are written as they are.
 */
export function escapeRegexp(s: string): string {
  let out = '';
  for (const c of s) out += c > ' ' && c <= '\x7f' && !/\w/.test(c) ? `\\${c}` : c;
  return out;
}

/** Characters JS lowercases to the same thing as `c`, when each is one code unit. */
export function caseVariants(c: string): string[] {
  const out = new Set([c]);
  for (const v of [c.toLowerCase(), c.toUpperCase()]) {
    if (v.length === 1) out.add(v);
  }
  for (const v of [...out]) {
    const u = v.toUpperCase();
    const l = v.toLowerCase();
    if (u.length === 1) out.add(u);
    if (l.length === 1) out.add(l);
  }
  return [...out].filter((v) => v.toLowerCase() === c.toLowerCase()).sort();
}

/** A literal as Lucene regexp, each cased character as a class of its variants when `ci`. */
export function regexpLiteral(s: string, ci: boolean): string {
  let out = '';
  for (const c of s) {
    const variants = ci && c.length === 1 ? caseVariants(c) : [c];
    out += variants.length > 1 ? `[${variants.map(escapeRegexp).join('')}]` : escapeRegexp(c);
  }
  return out;
}

const WINDASH_CLASS = `[${['-', '/', '\u2013', '\u2014', '\u2015'].map(escapeRegexp).join('')}]`;

/** A pattern as one leaf query on `field`. Placeholders must have been substituted. */
export function patternQuery(field: string, p: Pattern, ci: boolean): Query {
  if (p.some((part) => part.k === 'ph')) throw new Error('internal: unsubstituted placeholder');
  // Lucene's case-insensitive term and wildcard queries fold ASCII letters only: patterns with
  // other cased letters become a regexp with each letter's variants spelled out.
  const ownFolding = ci && p.some((part) => part.k === 'lit' && nonAsciiCase(part.s));
  if (ownFolding || p.some((part) => part.k === 'dash')) {
    let src = '';
    for (const part of p) {
      if (part.k === 'lit') src += regexpLiteral(part.s, ci);
      else if (part.k === 'star') src += '.*';
      else if (part.k === 'one') src += '.';
      else src += WINDASH_CLASS;
    }
    return regexp(field, src);
  }
  if (p.length === 0) return term(field, '');
  const only = p[0]!;
  if (p.length === 1 && only.k === 'lit') return term(field, only.s, ci && hasCase(only.s));
  const last = p[p.length - 1]!;
  if (p.length === 2 && only.k === 'lit' && last.k === 'star')
    return prefix(field, only.s, ci && hasCase(only.s));
  let value = '';
  for (const part of p) value += part.k === 'lit' ? escapeWildcard(part.s) : part.k === 'star' ? '*' : '?';
  return wildcard(field, value, ci && p.some((part) => part.k === 'lit' && hasCase(part.s)));
}

/** Whether a literal has a cased letter beyond ASCII. */
export function nonAsciiCase(s: string): boolean {
  for (const c of s) if (c.charCodeAt(0) > 0x7f && hasCase(c)) return true;
  return false;
}

/** Whether folding case can change what a literal matches. */
export function hasCase(s: string): boolean {
  return s.toLowerCase() !== s.toUpperCase();
}

/** Numbers as the engine reads them in strings (`parseDecimal`) — see {@link decimalVariants}. */
const CANONICAL = /^-?(\d+)(?:\.(\d+))?$/;

/**
 * A Lucene regexp for the decimal strings that equal `n` as the engine parses them: optional
 * `+` (or the `-`), leading zeros, trailing fractional zeros, a zero exponent (`4688`,
 * `04688`, `+4688.00`, `4688e0`). Numbers whose canonical form has an exponent give
 * undefined (the term of the canonical form is then all there is).
 */
export function decimalVariants(n: number): string | undefined {
  const s = String(n);
  const m = CANONICAL.exec(s);
  if (!m) return undefined;
  const [, int, frac = ''] = m;
  const sign = n < 0 ? '\\-' : n === 0 ? '[\\+\\-]?' : '\\+?';
  let body: string;
  if (int === '0' && frac === '') body = '(0+(\\.0*)?|0*\\.0+)';
  else if (int === '0') body = `0*\\.${frac}0*`;
  else body = `0*${int}${frac === '' ? '(\\.0*)?' : `\\.${frac}0*`}`;
  return `${sign}${body}([eE][\\+\\-]?0+)?`;
}

/** A number rule value on a keyword field: the event number's string, or an equal decimal string. */
export function numberOnKeyword(field: string, n: number): Query[] {
  const variants = decimalVariants(n);
  return [term(field, String(n)), ...(variants ? [regexp(field, variants)] : [])];
}

/**
 * Matches a whole string against a Sigma pattern holding `?` or windash positions (patterns
 * of literals and `*` only are handled faster by `Glob`). A RegExp would do it, but `^.*a.*a
 * .*a…b$` backtracks polynomially — a hostile `?*a*a*a*a*a*a*b` stalls V8 for minutes on a
 * few kilobytes — while this two-pointer scan is at worst (text × pattern) steps.
 *
 * Characters are code points, as with a `u` RegExp: `?` matches one emoji, not half of one.
 */
import type { Pattern } from './wildcard.ts';

const STAR = -1;
const ONE = -2;
const DASH = -3;
const DASHES = new Set(['-', '/', '\u2013', '\u2014', '\u2015'].map((c) => c.codePointAt(0)!));

export class TokenGlob {
  readonly #tokens: Int32Array;

  /** `p`'s literals must already be in the case the tested strings will be in. */
  constructor(p: Pattern) {
    const tokens: number[] = [];
    for (const part of p) {
      if (part.k === 'lit') for (const ch of part.s) tokens.push(ch.codePointAt(0)!);
      else if (part.k === 'star') {
        if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
      } else if (part.k === 'one') tokens.push(ONE);
      else if (part.k === 'dash') tokens.push(DASH);
      else throw new Error(`internal: unresolved placeholder %${part.name}%`);
    }
    this.#tokens = Int32Array.from(tokens);
  }

  test(s: string): boolean {
    const text = codePoints(s);
    const tok = this.#tokens;
    const n = text.length;
    const m = tok.length;
    let i = 0;
    let j = 0;
    // Where the last star was, and the text position it has absorbed up to: on a mismatch
    // the star takes one more character. Earlier stars never need to: standard for globs.
    let star = -1;
    let resume = 0;
    while (i < n) {
      const t = j < m ? tok[j]! : 0;
      if (j < m && t !== STAR && (t === ONE || (t === DASH ? DASHES.has(text[i]!) : t === text[i]))) {
        i++;
        j++;
      } else if (j < m && t === STAR) {
        star = j++;
        resume = i;
      } else if (star >= 0) {
        j = star + 1;
        i = ++resume;
      } else return false;
    }
    while (j < m && tok[j] === STAR) j++;
    return j === m;
  }
}

function codePoints(s: string): Int32Array {
  const out = new Int32Array(s.length);
  let k = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i)!;
    out[k++] = c;
    if (c > 0xffff) i++;
  }
  return out.subarray(0, k);
}

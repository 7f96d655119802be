import { describe, expect, it } from 'vitest';
import { TokenGlob } from './glob-match.ts';
import { type Pattern, parseSigmaString, patternToRegExp } from './wildcard.ts';

describe('TokenGlob', () => {
  it('matches ? as one character (one code point), * as any run, windash as one of its characters', () => {
    const g = (p: Pattern) => new TokenGlob(p);
    expect(g(parseSigmaString('a?c')).test('abc')).toBe(true);
    expect(g(parseSigmaString('a?c')).test('ac')).toBe(false);
    expect(g(parseSigmaString('a?c')).test('a😀c')).toBe(true);
    expect(g(parseSigmaString('*x?z*')).test('..xyz..')).toBe(true);
    expect(g(parseSigmaString('*x?z*')).test('..xz..')).toBe(false);
    expect(g([{ k: 'lit', s: 'cmd ' }, { k: 'dash' }, { k: 'lit', s: 'c' }]).test('cmd /c')).toBe(true);
    expect(g([{ k: 'lit', s: 'cmd ' }, { k: 'dash' }, { k: 'lit', s: 'c' }]).test('cmd \u2013c')).toBe(true);
    expect(g([{ k: 'lit', s: 'cmd ' }, { k: 'dash' }, { k: 'lit', s: 'c' }]).test('cmd +c')).toBe(false);
  });

  it('agrees with the anchored RegExp of the same pattern on random cases', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 2000; k++) {
      const p = Array.from({ length: 1 + rnd(6) }, () => 'ab*?'[rnd(4)]).join('');
      const text = Array.from({ length: rnd(8) }, () => 'abc'[rnd(3)]).join('');
      const pattern = parseSigmaString(p);
      expect(new TokenGlob(pattern).test(text), `${p} on ${text}`).toBe(patternToRegExp(pattern).test(text));
    }
  });

  it('does not backtrack on a hostile pattern: ?*a*a*…*b over 20,000 characters', () => {
    const pattern = parseSigmaString(`?${'*a'.repeat(12)}*b`);
    // A RegExp would take minutes here; the scan is bounded by text × pattern steps.
    expect(new TokenGlob(pattern).test('a'.repeat(20_000))).toBe(false);
    expect(new TokenGlob(pattern).test(`${'a'.repeat(20_000)}b`)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import {
  anchorPattern,
  countDashes,
  escapeRegExp,
  expandDashes,
  Glob,
  insertPlaceholders,
  lit,
  lowerCached,
  markWindash,
  normalize,
  ONE,
  type Pattern,
  parseDecimal,
  parseSigmaString,
  STAR,
  StringMatcher,
} from './wildcard.ts';

/** Renders a pattern back with `*`, `?`, `{-}` for windash and `%name%` for placeholders. */
const show = (p: Pattern): string =>
  p
    .map((part) =>
      part.k === 'lit'
        ? `[${part.s}]`
        : part.k === 'star'
          ? '*'
          : part.k === 'one'
            ? '?'
            : part.k === 'dash'
              ? '{-}'
              : `%${part.name}%`,
    )
    .join('');

describe('parseSigmaString: wildcards and escaping (spec: Escape Character)', () => {
  it.each([
    ['plain', '[plain]'],
    ['prog?.exe', '[prog]?[.exe]'],
    ['antivirus_V*.exe', '[antivirus_V]*[.exe]'],
    ['*\\cmd.exe', '*[\\cmd.exe]'],
    // a plain backslash not followed by a wildcard: single or double
    ['C:\\Windows\\System32', '[C:\\Windows\\System32]'],
    ['C:\\\\Windows', '[C:\\Windows]'],
    // escaped wildcards are plain characters
    ['a\\*b', '[a*b]'],
    ['what\\?', '[what?]'],
    // backslash before a wildcard, itself escaped: backslash + wildcard
    ['C:\\\\*', '[C:\\]*'],
    // three backslashes: plain backslash and plain star
    ['C:\\\\\\*', '[C:\\*]'],
    // three or four backslashes are a double backslash
    ['\\\\\\\\share', '[\\\\share]'],
    ['\\\\\\share', '[\\\\share]'],
    // a trailing backslash is plain
    ['dir\\', '[dir\\]'],
    ['', ''],
    ['**', '**'],
  ])('%j → %s', (raw, expected) => {
    expect(show(parseSigmaString(raw))).toBe(expected);
  });

  it('normalize merges literals and collapses stars', () => {
    expect(show(normalize([STAR, STAR, lit('a'), lit(''), lit('b'), ONE, STAR]))).toBe('*[ab]?*');
  });

  it('anchorPattern adds the stars of contains / startswith / endswith once', () => {
    const p = parseSigmaString('abc');
    expect(show(anchorPattern(p, 'contains'))).toBe('*[abc]*');
    expect(show(anchorPattern(p, 'startswith'))).toBe('[abc]*');
    expect(show(anchorPattern(p, 'endswith'))).toBe('*[abc]');
    expect(show(anchorPattern(p, 'exact'))).toBe('[abc]');
    expect(show(anchorPattern(parseSigmaString('*abc*'), 'contains'))).toBe('*[abc]*');
  });
});

describe('insertPlaceholders (spec: Placeholders)', () => {
  it('turns %name% into a placeholder and \\% into a plain %', () => {
    expect(show(insertPlaceholders(parseSigmaString('%Servers%')))).toBe('%Servers%');
    expect(show(insertPlaceholders(parseSigmaString('\\%plain%name%')))).toBe('[%plain]%name%');
    expect(show(insertPlaceholders(parseSigmaString('pre-%a%-%b%*')))).toBe('[pre-]%a%[-]%b%*');
    expect(show(insertPlaceholders(parseSigmaString('100%')))).toBe('[100%]');
  });
});

describe('markWindash / expandDashes (modifier windash)', () => {
  it('marks a dash or slash that starts a word, not one inside a word', () => {
    expect(show(markWindash(parseSigmaString(' -n evil')))).toBe('[ ]{-}[n evil]');
    expect(show(markWindash(parseSigmaString('/c')))).toBe('{-}[c]');
    expect(show(markWindash(parseSigmaString('a-b')))).toBe('[a-b]');
    expect(show(markWindash(parseSigmaString('-*')))).toBe('[-]*');
    expect(show(markWindash(parseSigmaString('x \u2013enc')))).toBe('[x ]{-}[enc]');
    expect(countDashes(markWindash(parseSigmaString('-a -b /c')))).toBe(3);
  });

  it('expands every permutation of the five characters', () => {
    const variants = expandDashes(markWindash(parseSigmaString(' -a -b'))).map(show);
    expect(variants).toHaveLength(25);
    expect(variants).toContain('[ -a -b]');
    expect(variants).toContain('[ /a \u2015b]');
    expect(variants).toContain('[ \u2013a \u2014b]');
  });
});

describe('Glob: star-only patterns without RegExp', () => {
  it.each([
    [['a', 'b', 'c'], true, true, 'axxbyyc', true],
    [['a', 'b', 'c'], true, true, 'abc', true],
    [['a', 'b', 'c'], true, true, 'acb', false],
    [['a', 'a'], true, true, 'a', false],
    [['a', 'a'], true, true, 'aa', true],
    [['x', 'y'], false, false, '..x..y..', true],
    [['x', 'y'], false, false, '..y..x..', false],
    [['x', 'y'], false, true, '..x..y', true],
    [['x', 'y'], false, true, '..x..y.', false],
    [['ab', 'bc'], true, false, 'abc', false],
    [['ab', 'bc'], true, false, 'abbc', true],
  ])('%j head=%s tail=%s on %j → %s', (segs, head, tail, s, expected) => {
    expect(new Glob(segs, head, tail).test(s)).toBe(expected);
  });
});

describe('StringMatcher', () => {
  const matcher = (ci: boolean, ...raws: string[]) => {
    const m = new StringMatcher(ci);
    for (const r of raws) m.addPattern(parseSigmaString(r));
    return m;
  };

  it('is case-insensitive by default, exact otherwise', () => {
    const m = matcher(true, 'CMD.exe');
    expect(m.test('cmd.EXE')).toBe(true);
    expect(m.test('cmd.exe ')).toBe(false);
    const c = matcher(false, 'CMD.exe');
    expect(c.test('CMD.exe')).toBe(true);
    expect(c.test('cmd.exe')).toBe(false);
  });

  it('uses the fast paths and a RegExp only for ?', () => {
    const m = matcher(true, '*\\cmd.exe', 'powershell*', '*-enc*', 'a*b*c', 'prog?.exe');
    expect(m.test('C:\\Windows\\CMD.EXE')).toBe(true);
    expect(m.test('PowerShell.exe -x')).toBe(true);
    expect(m.test('x -ENC y')).toBe(true);
    expect(m.test('a-b-c')).toBe(true);
    expect(m.test('progA.exe')).toBe(true);
    expect(m.test('progAB.exe')).toBe(false);
    expect(m.test('prog.exe')).toBe(false);
    expect(m.test('other')).toBe(false);
  });

  it('many contains values (one alternation) stay literal and case-insensitive', () => {
    const values = ['a.b', '(x)', 'q+', '[z]', 'Hello', 'w|v', '$1', '^k', '\\\\\\\\srv'];
    const m = matcher(true, ...values.map((v) => `*${v}*`));
    expect(m.test('xxA.Bxx')).toBe(true);
    expect(m.test('axb')).toBe(false);
    expect(m.test('f(X)')).toBe(true);
    expect(m.test('qqq+')).toBe(true);
    expect(m.test('[Z]')).toBe(true);
    expect(m.test('say hello')).toBe(true);
    expect(m.test('w|v')).toBe(true);
    expect(m.test('w')).toBe(false);
    expect(m.test('cost $1')).toBe(true);
    expect(m.test('x^k')).toBe(true);
    expect(m.test('\\\\SRV\\share')).toBe(true);
    expect(m.test('\\srv')).toBe(false);
  });

  it('? matches one character, including an astral one', () => {
    const m = matcher(true, 'a?b');
    expect(m.test('a\u{1F600}b')).toBe(true);
    expect(m.test('a\nb')).toBe(true);
    expect(m.test('ab')).toBe(false);
  });

  it('never interprets regex syntax of the value', () => {
    const m = matcher(true, '(a+)+$?');
    expect(m.test('(a+)+$x')).toBe(true);
    expect(m.test('aaa')).toBe(false);
    expect(escapeRegExp('a.b*c(d)[e]{f}|g^h$i\\j/k?l+m')).toBe(
      'a\\.b\\*c\\(d\\)\\[e\\]\\{f\\}\\|g\\^h\\$i\\\\j\\/k\\?l\\+m',
    );
  });

  it('matches event numbers and booleans through their string form', () => {
    const m = matcher(true, '4688');
    expect(m.test(4688)).toBe(true);
    expect(m.test('4688')).toBe(true);
    expect(m.test(4689)).toBe(false);
    expect(matcher(true, '46*').test(4688)).toBe(true);
    expect(matcher(true, 'TRUE').test(true)).toBe(true);
    expect(matcher(true, 'true').test(false)).toBe(false);
  });

  it('empty string matches only the empty string', () => {
    const m = matcher(true, '');
    expect(m.test('')).toBe(true);
    expect(m.test(' ')).toBe(false);
    expect(m.test(null)).toBe(false);
  });

  it('* alone matches any scalar but not null or objects', () => {
    const m = matcher(true, '*');
    expect(m.test('')).toBe(true);
    expect(m.test(5)).toBe(true);
    expect(m.test(null)).toBe(false);
    expect(m.test({})).toBe(false);
  });
});

describe('lowerCached', () => {
  it('returns the lowercase form, also after slot collisions', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `Value-${i}-ABCDEFGH`);
    for (let round = 0; round < 2; round++)
      for (const w of words) expect(lowerCached(w)).toBe(w.toLowerCase());
    expect(lowerCached('SHORT')).toBe('short');
    const long = 'X'.repeat(10_000);
    expect(lowerCached(long)).toBe(long.toLowerCase());
  });
});

describe('parseDecimal', () => {
  it('accepts plain decimals only', () => {
    expect(parseDecimal('4688')).toBe(4688);
    expect(parseDecimal('-1.5')).toBe(-1.5);
    expect(parseDecimal('2e3')).toBe(2000);
    expect(parseDecimal('0x10')).toBeUndefined();
    expect(parseDecimal(' 1')).toBeUndefined();
    expect(parseDecimal('')).toBeUndefined();
    expect(parseDecimal('Infinity')).toBeUndefined();
  });
});

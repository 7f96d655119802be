import { describe, expect, it } from 'vitest';
import {
  base64Offsets,
  CidrMatcher,
  compileRegex,
  findNestedQuantifier,
  isoWeek,
  parseIPv4,
  parseIPv6,
  parseModifiers,
  timestampPart,
} from './modifiers.ts';
import { SigmaError } from './types.ts';

describe('parseModifiers', () => {
  it('plans a plain string condition', () => {
    const p = parseModifiers('Image', []);
    expect(p).toMatchObject({ kind: 'string', anchor: 'exact', all: false, cased: false, label: 'Image' });
  });

  it('reads the string modifiers in any order, encodings in order', () => {
    const p = parseModifiers('CommandLine', ['wide', 'base64offset', 'contains', 'all', 'cased']);
    expect(p).toMatchObject({ kind: 'string', anchor: 'contains', all: true, cased: true });
    expect(p.encodings).toEqual(['utf16le', 'base64offset']);
  });

  it('selects the typed kinds', () => {
    expect(parseModifiers('a', ['re', 'i', 's']).kind).toBe('re');
    expect(parseModifiers('a', ['re', 'i', 's']).reFlags).toBe('is');
    expect(parseModifiers('a', ['re', 'ignorecase', 'multiline', 'dotall']).reFlags).toBe('ims');
    expect(parseModifiers('a', ['cidr']).kind).toBe('cidr');
    expect(parseModifiers('a', ['gte']).kind).toBe('compare');
    expect(parseModifiers('a', ['hour']).kind).toBe('time');
    expect(parseModifiers('a', ['hour', 'gte'])).toMatchObject({
      kind: 'time',
      compare: 'gte',
      timePart: 'hour',
    });
    expect(parseModifiers('a', ['exists']).kind).toBe('exists');
    expect(parseModifiers('a', ['fieldref', 'startswith']).kind).toBe('fieldref');
    expect(parseModifiers('a', ['neq']).neq).toBe(true);
  });

  it.each([
    [['containz'], /unknown modifier 'containz'/],
    [[''], /empty modifier/],
    [['contains', 'contains'], /given twice/],
    [['contains', 'startswith'], /'startswith' cannot be combined with 'contains'/],
    [['i'], /sub-modifier of 're'/],
    [['i', 're'], /sub-modifier of 're'/],
    [['re', 'cidr'], /'cidr' cannot be combined with 're'/],
    [['re', 'base64'], /'base64' cannot be combined with 're'/],
    [['re', 'cased'], /'cased' cannot be combined with 're'/],
    [['cidr', 'contains'], /'contains' cannot be combined with 'cidr'/],
    [['exists', 'all'], /'all' cannot be combined with 'exists'/],
    [['gt', 'lt'], /'lt' cannot be combined with 'gt'/],
    [['gt', 'contains'], /'contains' cannot be combined with 'gt'/],
    [['hour', 'day'], /'day' cannot be combined with 'hour'/],
    [['base64', 'utf16le'], /'utf16le' must come before 'base64'/],
    [['base64', 'base64offset'], /'base64offset' cannot be combined with 'base64'/],
    [['wide', 'utf16be'], /'utf16be' cannot be combined with 'utf16le'/],
    [['base64', 'windash'], /'windash' must come before/],
    [['fieldref', 'windash'], /'windash' cannot be combined with 'fieldref'/],
  ])('rejects %j', (mods, message) => {
    expect(() => parseModifiers('Field', mods)).toThrow(message);
    expect(() => parseModifiers('Field', mods)).toThrow(SigmaError);
  });

  it('names the key in the message', () => {
    expect(() => parseModifiers('Image', ['bogus'])).toThrow("(in 'Image|bogus')");
  });

  it('rejects field-only modifiers on keywords', () => {
    expect(() => parseModifiers(undefined, ['exists'])).toThrow(/needs a field/);
    expect(() => parseModifiers(undefined, ['cidr'])).toThrow(/needs a field/);
    expect(() => parseModifiers(undefined, ['neq'])).toThrow(/needs a field/);
    expect(parseModifiers(undefined, ['all']).all).toBe(true);
  });
});

describe('base64Offsets', () => {
  it('gives the three stable middles of a value at byte offsets 0, 1, 2', () => {
    expect(base64Offsets(Buffer.from('http://'))).toEqual(['aHR0cDovL', 'h0dHA6Ly', 'odHRwOi8v']);
  });

  it('each form appears in the base64 of any text holding the value', () => {
    const value = 'Invoke-Mimikatz';
    const forms = base64Offsets(Buffer.from(value));
    for (const prefix of ['', 'a', 'ab', 'abc', 'powershell -c ']) {
      for (const suffix of ['', 'x', 'xy', ' end']) {
        const encoded = Buffer.from(prefix + value + suffix).toString('base64');
        expect(
          forms.some((f) => encoded.includes(f)),
          `${prefix}|${suffix}`,
        ).toBe(true);
      }
    }
  });
});

describe('compileRegex', () => {
  const re = (src: string, flags = '', anchor: 'exact' | 'contains' | 'startswith' | 'endswith' = 'exact') =>
    compileRegex(src, flags, anchor, 'F|re');

  it('has search semantics and is case-sensitive by default', () => {
    expect(re('cmd\\.exe').test('C:\\cmd.exe /c')).toBe(true);
    expect(re('cmd\\.exe').test('CMD.EXE')).toBe(false);
    expect(re('^cmd').test('xcmd')).toBe(false);
  });

  it('applies the i, m and s sub-modifiers', () => {
    expect(re('cmd', 'i').test('CMD')).toBe(true);
    expect(re('^b$').test('a\nb')).toBe(false);
    expect(re('^b$', 'm').test('a\nb')).toBe(true);
    expect(re('a.b').test('a\nb')).toBe(false);
    expect(re('a.b', 's').test('a\nb')).toBe(true);
  });

  it('reads a leading PCRE inline flag group and named groups', () => {
    expect(re('(?i)cmd').test('CMD')).toBe(true);
    expect(re('(?is)a.b').test('A\nB')).toBe(true);
    expect(re('(?P<x>ab)(?P=x)').test('abab')).toBe(true);
    expect(re('[]a]').test(']')).toBe(true);
    expect(re('\\Aab\\z').test('ab')).toBe(true);
    expect(re('\\Aab\\z').test('xab')).toBe(false);
    expect(re('ab\\Z').test('ab\n')).toBe(true);
  });

  it('anchors for startswith / endswith', () => {
    expect(re('a|b', '', 'startswith').test('xb')).toBe(false);
    expect(re('a|b', '', 'startswith').test('bx')).toBe(true);
    expect(re('a|b', '', 'endswith').test('ax')).toBe(false);
    expect(re('a|b', '', 'endswith').test('xa')).toBe(true);
    expect(re('a', 'm', 'startswith').test('x\na')).toBe(false);
  });

  it.each([
    ['(ab', /invalid regular expression/],
    ['a**', /invalid regular expression/],
    ['\\Qa\\E', /unsupported escape '\\Q'/],
    ['\\h', /unsupported escape/],
    ['a(?i)b', /unsupported group/],
    ['(?>a)', /unsupported group/],
    ['(?x)a', /unsupported inline flag/],
    ['a\\', /lone backslash/],
  ])('rejects %j', (src, message) => {
    expect(() => re(src)).toThrow(message);
  });

  it.each([
    '(a+)+',
    '(.*)*',
    '(\\w+\\s?)*',
    '(a|aa)+b(x+y?)+',
    '(?:a+|b)+',
    '((ab)+)+',
    '(a{1,3})*',
    '(a*b*)+',
    '(\\d+)+$',
    '^(([a-z])+.)+[A-Z]([a-z])+$',
    '(.*\\n)+',
    '(a+a)+',
  ])('rejects the backtracking-prone %j with a clear message', (src) => {
    const flags = src === '(.*\\n)+' ? 's' : '';
    expect(() => re(src, flags)).toThrow(/nested quantifiers.*simple structural check/);
  });

  it.each([
    '(?:\\s*\\d{1,3}\\s*,){2}',
    'https?://(?:0[0-9]{1,11}\\.){3}0[0-9]{1,11}',
    '(\\w+\\.)+com',
    '(?:\\{\\d\\})+"\\s*-f',
    '(?:(?:25[0-5]|(?:2[0-4]|1\\d|[1-9])?\\d)(?:\\.|\\b)){4}',
    '(a|b)*c',
    '(ab?)+',
    '(.*\\n)+',
    '[(a+)+]',
    '\\(a+\\)+',
  ])('accepts the safe %j', (src) => {
    expect(() => re(src)).not.toThrow();
  });

  it('rewrites the exponential (?:.*C){1,} of three SigmaHQ rules to the equal .*C', () => {
    const r = re('-f(?:.*\\)){1,}.*"');
    expect(r.source).toBe('-f(?:.*\\)).*"');
    expect(r.test('-f ) ) )"')).toBe(true);
    const t = Date.now();
    expect(r.test(`-f${')'.repeat(40)}`)).toBe(false);
    expect(Date.now() - t).toBeLessThan(500);
  });

  it('findNestedQuantifier points at the group', () => {
    expect(findNestedQuantifier('x(a+)+y', '')).toBe('(a+)');
    expect(findNestedQuantifier('x(a+)y', '')).toBeUndefined();
  });
});

describe('CIDR', () => {
  it('parses addresses', () => {
    expect(parseIPv4('10.1.2.3')).toBe(0x0a010203);
    expect(parseIPv4('255.255.255.255')).toBe(2 ** 32 - 1);
    expect(parseIPv4('256.1.1.1')).toBe(-1);
    expect(parseIPv4('1.2.3')).toBe(-1);
    expect(parseIPv4('1.2.3.4.5')).toBe(-1);
    expect(parseIPv6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('2001:db8::8a2e:370:7334')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0x8a2e, 0x370, 0x7334]);
    expect(parseIPv6('::ffff:10.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0a00, 1]);
    expect(parseIPv6('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('1::2::3')).toBeUndefined();
    expect(parseIPv6('12345::')).toBeUndefined();
  });

  it('matches IPv4 and IPv6 networks', () => {
    const m = new CidrMatcher();
    m.add('10.0.0.0/8', 'x');
    m.add('192.168.1.0/24', 'x');
    m.add('2001:db8::/32', 'x');
    m.add('fe80::/10', 'x');
    expect(m.test('10.255.0.1')).toBe(true);
    expect(m.test('11.0.0.1')).toBe(false);
    expect(m.test('192.168.1.77')).toBe(true);
    expect(m.test('192.168.2.1')).toBe(false);
    expect(m.test('2001:db8:1::5')).toBe(true);
    expect(m.test('2001:db9::5')).toBe(false);
    expect(m.test('febf::1')).toBe(true);
    expect(m.test('fec0::1')).toBe(false);
    expect(m.test('::ffff:10.9.9.9')).toBe(true);
    expect(m.test('not an ip')).toBe(false);
    expect(m.test(167772161)).toBe(false);
  });

  it('handles /0, /32, bare addresses and host bits', () => {
    const all = new CidrMatcher();
    all.add('0.0.0.0/0', 'x');
    expect(all.test('8.8.8.8')).toBe(true);
    const host = new CidrMatcher();
    host.add('10.0.0.1', 'x');
    expect(host.test('10.0.0.1')).toBe(true);
    expect(host.test('10.0.0.2')).toBe(false);
    const loose = new CidrMatcher();
    loose.add('10.1.2.3/8', 'x');
    expect(loose.test('10.200.0.0')).toBe(true);
  });

  it.each(['10.0.0.0/33', '10.0.0/8', 'abc', '2001:db8::/129', '10.0.0.0/x', ''])('rejects %j', (cidr) => {
    expect(() => new CidrMatcher().add(cidr, 'Ip|cidr')).toThrow(/is not a CIDR network/);
  });
});

describe('timestampPart', () => {
  it('reads the components as written (no time-zone conversion)', () => {
    const ts = '2024-03-05T23:07:09.123+07:00';
    expect(timestampPart(ts, 'year')).toBe(2024);
    expect(timestampPart(ts, 'month')).toBe(3);
    expect(timestampPart(ts, 'day')).toBe(5);
    expect(timestampPart(ts, 'hour')).toBe(23);
    expect(timestampPart(ts, 'minute')).toBe(7);
    expect(timestampPart(ts, 'week')).toBe(10);
    expect(timestampPart('2024-03-05 08:30:00', 'hour')).toBe(8);
  });

  it('reads epoch seconds and milliseconds in UTC', () => {
    expect(timestampPart(1_709_679_600, 'hour')).toBe(23); // 2024-03-05T23:00:00Z
    expect(timestampPart(1_709_679_600_000, 'hour')).toBe(23);
  });

  it('has no hour in a date-only value and nothing in non-timestamps', () => {
    expect(timestampPart('2024-03-05', 'hour')).toBeUndefined();
    expect(timestampPart('2024-03-05', 'day')).toBe(5);
    expect(timestampPart('hello', 'day')).toBeUndefined();
    expect(timestampPart('2024-13-05', 'day')).toBeUndefined();
    expect(timestampPart(null, 'day')).toBeUndefined();
  });

  it('computes ISO week numbers', () => {
    expect(isoWeek(2021, 1, 3)).toBe(53); // belongs to 2020-W53
    expect(isoWeek(2021, 1, 4)).toBe(1);
    expect(isoWeek(2024, 12, 30)).toBe(1); // 2025-W01
    expect(isoWeek(2024, 6, 15)).toBe(24);
  });
});

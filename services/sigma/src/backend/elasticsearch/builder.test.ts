import { describe, expect, it } from 'vitest';
import { compileRegex } from '../../detection/modifiers.ts';
import { loadPipeline } from '../../pipeline/load.ts';
import { parseSigmaText } from '../../rule/load.ts';
import type { SigmaRule } from '../../rule/model.ts';
import { esCidr, fieldQuery } from './field.ts';
import { ruleQuery, UnsupportedError } from './index.ts';
import { indexMappings, stringField } from './mapping.ts';
import { luceneRegexp } from './regex.ts';
import { decimalVariants, escapeWildcard, patternQuery } from './strings.ts';

const one = (f: string) => [f];
const q = (key: string, ...values: unknown[]) => {
  const [field = '', ...modifiers] = key.split('|');
  return fieldQuery({ field: field || undefined, modifiers, values }, one);
};
const reject = (key: string, ...values: unknown[]) => {
  try {
    q(key, ...values);
  } catch (err) {
    expect(err).toBeInstanceOf(UnsupportedError);
    return (err as UnsupportedError).reason;
  }
  throw new Error('not rejected');
};
const lucene = (src: string, flags = '') => luceneRegexp(compileRegex(src, flags, 'exact', 't'));
const matches = (lucenePattern: string, s: string) => new RegExp(`^(?:${lucenePattern})$`, 's').test(s);

describe('string values', () => {
  it('an exact value is a case-insensitive term; cased drops the flag', () => {
    expect(q('a', 'Cmd.exe')).toEqual({ term: { a: { value: 'Cmd.exe', case_insensitive: true } } });
    expect(q('a|cased', 'Cmd.exe')).toEqual({ term: { a: { value: 'Cmd.exe' } } });
    expect(q('a', '123')).toEqual({ term: { a: { value: '123' } } });
  });
  it('startswith is a prefix, endswith and contains are wildcards with escaping', () => {
    expect(q('a|startswith', 'x*y')).toEqual({ wildcard: { a: { value: 'x*y*', case_insensitive: true } } });
    expect(q('a|startswith', 'x\\*y')).toEqual({ prefix: { a: { value: 'x*y', case_insensitive: true } } });
    expect(q('a|endswith', 'x\\*y')).toEqual({
      wildcard: { a: { value: '*x\\*y', case_insensitive: true } },
    });
    expect(q('a|startswith', 'xy')).toEqual({ prefix: { a: { value: 'xy', case_insensitive: true } } });
    expect(q('a|endswith', 'C:\\W')).toEqual({
      wildcard: { a: { value: '*C:\\\\W', case_insensitive: true } },
    });
    expect(q('a|contains', 'a?b')).toEqual({ wildcard: { a: { value: '*a?b*', case_insensitive: true } } });
    expect(escapeWildcard('a*b?c\\')).toBe('a\\*b\\?c\\\\');
  });
  it('Sigma escapes are literal characters', () => {
    expect(q('a', 'x\\*y')).toEqual({ term: { a: { value: 'x*y', case_insensitive: true } } });
    expect(q('a', '\\\\srv\\x')).toEqual({ term: { a: { value: '\\srv\\x', case_insensitive: true } } });
  });
  it('contains|all is a conjunction, a list a disjunction', () => {
    expect((q('a|contains|all', 'x', 'y') as { bool: { filter: unknown[] } }).bool.filter).toHaveLength(2);
    expect((q('a', 'x', 'y') as { bool: { should: unknown[] } }).bool.should).toHaveLength(2);
  });
  it('windash with many positions is a regexp with the dash class', () => {
    const query = JSON.stringify(q('a|contains|windash', ' -a -b -c'));
    expect(query).toContain('"regexp"');
    expect(query).toContain('[\\\\-\\\\/–—―]');
  });
  it('base64offset gives the three offsets, compared case-insensitively as the engine does', () => {
    const query = q('a|base64offset|contains', 'http') as { bool: { should: { wildcard: object }[] } };
    expect(query.bool.should).toHaveLength(3);
    expect(JSON.stringify(query)).toContain('aHR0c');
  });
  it('non-ASCII letters are folded in a regexp (Lucene folds only ASCII in wildcards)', () => {
    expect(JSON.stringify(q('a|contains', 'Ü'))).toContain('[Üü]');
    expect(reject('a', 'İ')).toBe('case-folding');
    expect(q('a|cased', 'İ')).toEqual({ term: { a: { value: 'İ' } } });
  });
  it('empty string, null, exists, neq', () => {
    expect(q('a', '')).toEqual({ term: { a: { value: '' } } });
    expect(q('a', null)).toEqual({ bool: { must_not: [{ exists: { field: 'a' } }] } });
    expect(q('a|exists', true)).toEqual({ exists: { field: 'a' } });
    expect(q('a|exists', false)).toEqual({ bool: { must_not: [{ exists: { field: 'a' } }] } });
    expect(q('a|neq', 'x')).toEqual({
      bool: { must_not: [{ term: { a: { value: 'x', case_insensitive: true } } }] },
    });
  });
  it('keywords search the catch-all field, contains-like', () => {
    expect(q('', 'evil')).toEqual({
      wildcard: { sigma_strings: { value: '*evil*', case_insensitive: true } },
    });
  });
  it('patterns of one `?` and `*`', () => {
    expect(patternQuery('f', [{ k: 'star' }], true)).toEqual({ wildcard: { f: { value: '*' } } });
    expect(patternQuery('f', [], true)).toEqual({ term: { f: { value: '' } } });
  });
});

describe('numbers and booleans', () => {
  it('a number on a keyword field: its string, and the decimal strings equal to it', () => {
    const v = decimalVariants(4688)!;
    for (const s of ['4688', '04688', '+4688.00', '4688e0', '4688.']) expect(matches(v, s)).toBe(true);
    for (const s of ['46880', '4688.1', '-4688', '4688e1']) expect(matches(v, s)).toBe(false);
    expect(matches(decimalVariants(0)!, '-0.0')).toBe(true);
    expect(matches(decimalVariants(1.5)!, '01.50')).toBe(true);
  });
  it('a number on a long field is a term on it; strings use the keyword sub-field', () => {
    expect(q('destination.port', 445)).toEqual({ term: { 'destination.port': { value: 445 } } });
    expect(q('destination.port|contains', '44')).toEqual({
      wildcard: { 'destination.port.keyword': { value: '*44*' } },
    });
    expect(stringField('source.ip')).toBe('source.ip.keyword');
  });
  it('lt/gt are ranges on long fields and rejected on keyword fields', () => {
    expect(q('destination.port|gt', 1024)).toEqual({ range: { 'destination.port': { gt: 1024 } } });
    expect(reject('a|gt', 5)).toBe('compare-on-text-field');
  });
  it('a boolean is the string true/false', () => {
    expect(q('a', true)).toEqual({ term: { a: { value: 'true', case_insensitive: true } } });
  });
});

describe('typed modifiers', () => {
  it('cidr is a term on an ip field, rejected on keyword', () => {
    expect(q('destination.ip|cidr', '10.0.0.0/8')).toEqual({
      term: { 'destination.ip': { value: '10.0.0.0/8' } },
    });
    expect(reject('a|cidr', '10.0.0.0/8')).toBe('cidr-on-text-field');
    expect(esCidr('::ffff:192.168.0.0/112')).toBe('192.168.0.0/16');
    expect(esCidr('2001:db8::1')).toBe('2001:db8:0:0:0:0:0:1/128');
    expect(esCidr('10.1.2.3')).toBe('10.1.2.3/32');
  });
  it('fieldref and time modifiers are rejected', () => {
    expect(reject('a|fieldref', 'b')).toBe('fieldref');
    expect(reject('a|hour', 5)).toBe('time-modifier');
  });
});

describe('regular expressions as Lucene regexps', () => {
  it('search semantics: unanchored patterns get .* at both ends; ^ and $ remove them', () => {
    expect(lucene('abc')).toBe('.*abc.*');
    expect(lucene('^abc$')).toBe('abc');
    expect(lucene('^a|b$')).toBe('(a.*)|(.*b)');
  });
  it('. excludes line terminators unless s; classes are spelled out', () => {
    expect(matches(lucene('a.b'), 'a\nb')).toBe(false);
    expect(matches(lucene('a.b', 's'), 'a\nb')).toBe(true);
    expect(matches(lucene('\\d\\s\\w'), 'x1\u00a0_y')).toBe(true);
  });
  it('i folds ASCII letters, also in classes and negated classes', () => {
    expect(lucene('^[a-b]x$', 'i')).toBe('[a-bAB][xX]');
    expect(matches(lucene('^[^a]$', 'i'), 'A')).toBe(false);
  });
  it('m: ^ and $ at line boundaries', () => {
    expect(matches(lucene('^two$', 'm'), 'one\ntwo\nthree')).toBe(true);
    expect(matches(lucene('^two$'), 'one\ntwo\nthree')).toBe(false);
  });
  it('empty alternatives and Lucene-reserved characters', () => {
    expect(lucene('^(a|)"<#@&~$')).toBe('(a|())\\"\\<\\#\\@\\&\\~');
  });
  it('rejects what Lucene cannot say', () => {
    for (const src of ['\\bx', 'a(?=b)', '(a)\\1', 'a^b', '[^ ]{1,64}']) {
      expect(() => lucene(src)).toThrow(UnsupportedError);
    }
  });
});

describe('rules through the ecs pipeline', () => {
  const ecs = loadPipeline('ecs');
  const rule = (text: string) => parseSigmaText(text, 't.yml').documents[0] as SigmaRule;
  it('adds the logsource filter and renames fields', () => {
    const r = rule(
      'title: t\nlogsource: {product: windows, service: security}\ndetection:\n  s: {TargetUserName: bob}\n  condition: s\n',
    );
    const json = JSON.stringify(ruleQuery(r, ecs));
    expect(json).toContain('"winlog.channel":{"value":"security","case_insensitive":true}');
    expect(json).toContain('"winlog.event_data.TargetUserName"');
  });
  it('reports a logsource the pipeline does not know', () => {
    const r = rule('title: t\nlogsource: {product: nothing}\ndetection:\n  s: {a: b}\n  condition: s\n');
    expect(() => ruleQuery(r, ecs)).toThrow(/no source/);
  });
  it('the mapping contract types typed fields and sends strings to the catch-all', () => {
    expect(JSON.stringify(indexMappings)).toContain('"port":{"type":"long","coerce":false');
    expect(JSON.stringify(indexMappings.dynamic_templates)).toContain('"copy_to":"sigma_strings"');
  });
});

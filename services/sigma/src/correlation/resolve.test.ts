import { describe, expect, it } from 'vitest';
import { parseSigmaText } from '../rule/load.ts';
import type { SigmaCorrelation, SigmaRule } from '../rule/model.ts';
import { CorrelationEngine } from './engine.ts';
import { correlation, load, rule } from './test-support.ts';

const count = (rules: string, extra = '') =>
  correlation(
    `type: event_count\nrules: ${rules}\ngroup-by: [host]\ntimespan: 1m\ncondition: {gte: 2}\n${extra}`,
  );

function problems(...docs: string[]) {
  const { rules, correlations } = load(...docs);
  return new CorrelationEngine({ correlations, rules }).problems.map((p) => `${p.path}: ${p.message}`);
}

describe('resolving correlation references', () => {
  it('accepts references by name and by id', () => {
    const id = '0e95725d-7320-415d-80f7-004da920fc11';
    expect(problems(count(`[a, ${id}]`), rule('a'), rule('b', `id: ${id}\n`))).toEqual([]);
  });

  it('rejects a reference no loaded rule answers to, naming it', () => {
    expect(problems(count('[a, nope]'), rule('a'))).toEqual([
      'correlation.rules: refers to "nope", which is no loaded rule\'s name or id',
    ]);
  });

  it('rejects a name two rules of other files share, but prefers one in the same file', () => {
    const { rules, correlations } = load(count('[a]'), rule('a'));
    const other = parseSigmaText(rule('a'), 'other.yml').documents as SigmaRule[];
    expect(new CorrelationEngine({ correlations, rules: [...rules, ...other] }).problems).toEqual([]);
    const far = parseSigmaText(count('[a]'), 'third.yml').documents as SigmaCorrelation[];
    const p = new CorrelationEngine({ correlations: far, rules: [...rules, ...other] }).problems;
    expect(p.map((x) => x.message)).toEqual(['"a" names 2 rules; names must be unique']);
    expect(p[0]!.file).toBe('third.yml');
  });

  it('rejects a rule referred to twice', () => {
    expect(problems(count('[a, a]'), rule('a'))).toEqual(['correlation.rules: "a" is referred to twice']);
  });

  it('rejects correlations that refer to each other in a cycle', () => {
    const p = problems(
      `name: x\n${count('[y]')}`.replace('title: corr', 'title: x'),
      `name: y\n${count('[x]')}`.replace('title: corr', 'title: y'),
    );
    expect(p).toHaveLength(2);
    expect(p.join('\n')).toMatch(/cycle/);
  });

  it('rejects an alias naming a rule the correlation does not refer to', () => {
    const c = correlation(
      'type: temporal\nrules: [a, b]\ngroup-by: [ip]\ntimespan: 1m\naliases:\n  ip:\n    a: source.ip\n    c: destination.ip',
    );
    expect(problems(c, rule('a'), rule('b'), rule('c'))).toEqual([
      'correlation.aliases.ip: alias ip names "c", which is not among the correlated rules',
    ]);
  });

  it('rejects a chained correlation grouping by a field its inner correlation does not group by', () => {
    const inner = `name: inner\n${count('[a]')}`;
    const outer = correlation('type: temporal\nrules: [inner, b]\ngroup-by: [user]\ntimespan: 1m');
    expect(problems(outer, inner, rule('a'), rule('b'))).toEqual([
      'correlation.group-by: field user is not a group-by field of the correlation inner it reads',
    ]);
    const fine = correlation('type: temporal\nrules: [inner, b]\ngroup-by: [host]\ntimespan: 1m');
    expect(problems(fine, inner, rule('a'), rule('b'))).toEqual([]);
  });

  it('rejects an outer correlation whose inner one is rejected', () => {
    const inner = `name: inner\n${count('[missing]')}`;
    const outer = correlation('type: temporal\nrules: [inner, b]\ngroup-by: [host]\ntimespan: 1m');
    const p = problems(outer, inner, rule('b'));
    expect(p).toContain('correlation.rules: refers to rejected correlation inner');
  });

  it('warns when a count can never be reached within maxEventsPerGroup', () => {
    const { rules, correlations } = load(count('[a]').replace('gte: 2', 'gte: 50'), rule('a'));
    const engine = new CorrelationEngine({ correlations, rules, limits: { maxEventsPerGroup: 10 } });
    expect(engine.warnings.join()).toMatch(/needs 50 events but a group holds at most 10/);
  });

  it('knows which rules it consumes and which it silences', () => {
    const { rules, correlations } = load(
      count('[a]'),
      count('[b]', 'generate: true'),
      rule('a'),
      rule('b'),
      rule('c'),
    );
    // generate given inside the correlation section is honoured as well as at the top level.
    const engine = new CorrelationEngine({ correlations, rules });
    const [a, b, c] = rules;
    expect([a, b, c].map((r) => engine.uses(r!))).toEqual([true, true, false]);
    expect([a, b, c].map((r) => engine.emits(r!))).toEqual([false, true, true]);
  });
});

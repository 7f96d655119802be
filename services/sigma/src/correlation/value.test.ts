import { describe, expect, it } from 'vitest';
import { correlation, ev, evaluate, rule, setup } from './test-support.ts';

const login = (s: number, fields: Record<string, unknown>) =>
  ev(s, { kind: 'failed_login', ComputerName: 'dc1', WorkstationName: 'ws1', ...fields });

// The specification's value_count example: failed logons with many user accounts per source and destination.
const distinctUsers = (gte: number, field = 'User') =>
  correlation(`type: value_count
rules:
  - failed_login
group-by:
  - ComputerName
  - WorkstationName
timespan: 1d
condition:
  field: ${field}
  gte: ${gte}`);

describe('value_count', () => {
  it('counts distinct values of condition.field per group', () => {
    const events = ['a', 'b', 'a', 'c'].map((u, i) => login(i, { User: u }));
    const { matches } = evaluate([distinctUsers(3), rule('failed_login')], events);
    expect(matches).toHaveLength(1);
    expect(matches[0]!.group).toEqual({ ComputerName: 'dc1', WorkstationName: 'ws1' });
    expect(matches[0]!.value).toBe(3);
    expect(matches[0]!.events).toEqual([0, 1, 2, 3]);
  });

  it('does not count repeats of a value', () => {
    const events = ['a', 'b', 'a', 'b', 'a'].map((u, i) => login(i, { User: u }));
    expect(evaluate([distinctUsers(3), rule('failed_login')], events).matches).toEqual([]);
  });

  it('ignores events without the field', () => {
    const events = [login(0, { User: 'a' }), login(1, {}), login(2, { User: 'b' })];
    const run = evaluate([distinctUsers(3), rule('failed_login')], events);
    expect(run.matches).toEqual([]);
    expect(run.engine.stats.noValue).toBe(1);
  });

  it('counts distinct combinations when condition.field lists several fields', () => {
    const c = distinctUsers(3, '[User, Domain]');
    const e = (s: number, User: string, Domain: string) => login(s, { User, Domain });
    const two = [e(0, 'a', 'x'), e(1, 'a', 'y'), e(2, 'a', 'x')];
    expect(evaluate([c, rule('failed_login')], two).matches).toEqual([]);
    expect(evaluate([c, rule('failed_login')], [...two, e(3, 'b', 'x')]).matches).toHaveLength(1);
  });

  it('lte is decided on the complete window', () => {
    const c = correlation(
      'type: value_count\nrules: [failed_login]\ngroup-by: [ComputerName]\ntimespan: 1m\ncondition: {field: User, lte: 1}',
    );
    const one = ['a', 'a', 'a'].map((u, i) => login(i, { User: u }));
    expect(evaluate([c, rule('failed_login')], one).matches.map((m) => m.value)).toEqual([1]);
    const two = ['a', 'b'].map((u, i) => login(i, { User: u }));
    expect(evaluate([c, rule('failed_login')], two).matches).toEqual([]);
  });
});

const access = (s: number, bytes: unknown, user = 'u1') =>
  ev(s, { kind: 'website_access', SourceIP: '10.0.0.1', User: user, bytes_sent: bytes });

// The specification's value_sum example: possible exfiltration, > 1,000,000 bytes sent in an hour.
const exfil = correlation(`type: value_sum
rules:
  - website_access
group-by:
  - SourceIP
  - User
timespan: 1h
condition:
  field: bytes_sent
  gt: 1000000`);

describe('value_sum', () => {
  it('matches when the sum exceeds the bound, as soon as it does', () => {
    const run = setup([exfil, rule('website_access')]);
    expect(run.feed([access(0, 600_000)])).toEqual([]);
    const got = run.feed([access(60, '500000')]); // a numeric string counts too
    expect(got.map((m) => [m.group, m.value, m.events])).toEqual([
      [{ SourceIP: '10.0.0.1', User: 'u1' }, 1_100_000, [0, 1]],
    ]);
  });

  it('does not match a sum at or under the bound, or spread over more than the timespan', () => {
    expect(
      evaluate([exfil, rule('website_access')], [access(0, 500_000), access(1, 500_000)]).matches,
    ).toEqual([]);
    expect(
      evaluate([exfil, rule('website_access')], [access(0, 600_000), access(3700, 600_000)]).matches,
    ).toEqual([]);
  });

  it('sums per group', () => {
    const events = [access(0, 600_000, 'a'), access(1, 600_000, 'b')];
    expect(evaluate([exfil, rule('website_access')], events).matches).toEqual([]);
  });

  it('ignores non-numeric values', () => {
    const run = evaluate([exfil, rule('website_access')], [access(0, 'lots'), access(1, 2_000_000)]);
    expect(run.matches.map((m) => m.events)).toEqual([[1]]);
    expect(run.engine.stats.noValue).toBe(1);
  });
});

// The specification's value_avg example: average BytesOut over 24h above 500.
const avg = correlation(`type: value_avg
rules:
  - rule_a
group-by:
  - SourceIP
  - User
timespan: 24h
condition:
  field: BytesOut
  gt: 500`);
const out = (s: number, BytesOut: number) => ev(s, { kind: 'rule_a', SourceIP: 'x', User: 'y', BytesOut });

describe('value_avg', () => {
  it('matches when the average of the complete window exceeds the bound', () => {
    const { matches } = evaluate([avg, rule('rule_a')], [out(0, 400), out(1, 700)]);
    expect(matches.map((m) => m.value)).toEqual([550]);
  });

  it('does not fire on one large value the rest of the window averages out', () => {
    const run = setup([avg, rule('rule_a')]);
    expect(run.feed([out(0, 4000)])).toEqual([]); // not decided before the window is complete
    run.feed(Array.from({ length: 9 }, (_, i) => out(i + 1, 10)));
    expect(run.engine.flush()).toEqual([]); // (4000 + 9 × 10) / 10 = 409
  });

  it('a window that averages above the bound matches once it is complete', () => {
    const run = setup([avg, rule('rule_a')]);
    run.feed([out(0, 4000), ...Array.from({ length: 9 }, (_, i) => out(i + 1, 200))]);
    expect(run.matches).toEqual([]);
    const closed = run.feed([ev(86_401, { kind: 'rule_a', SourceIP: 'other', User: 'y', BytesOut: 1 })]);
    expect(closed.map((m) => m.value)).toEqual([580]); // (4000 + 9 × 200) / 10
  });
});

describe('value_median', () => {
  const med = (gte: number) =>
    correlation(
      `type: value_median\nrules: [rule_a]\ngroup-by: [User]\ntimespan: 1h\ncondition: {field: BytesOut, gte: ${gte}}`,
    );

  it('tests the median of the numeric values', () => {
    const events = [out(0, 1), out(1, 1000), out(2, 30), out(3, 20)];
    expect(evaluate([med(25), rule('rule_a')], events).matches.map((m) => m.value)).toEqual([25]);
    expect(evaluate([med(26), rule('rule_a')], events).matches).toEqual([]);
  });
});

// The specification's value_percentile example: a process name making up ≤ 1 % of a computer's processes.
describe('value_percentile', () => {
  const rare = correlation(`type: value_percentile
rules:
  - process_creation
group-by:
  - ComputerName
timespan: 24h
condition:
  field: image
  lte: 1`);
  const proc = (s: number, image: string, host = 'pc1') =>
    ev(s, { kind: 'process_creation', ComputerName: host, image });

  it('matches each value whose share of the group is within the bound, with the value in the group', () => {
    const events = [...Array.from({ length: 199 }, (_, i) => proc(i, 'svchost.exe')), proc(300, 'evil.exe')];
    const { matches } = evaluate([rare, rule('process_creation')], events);
    expect(matches.map((m) => [m.group, m.value, m.events])).toEqual([
      [{ ComputerName: 'pc1', image: 'evil.exe' }, 0.5, [199]],
    ]);
  });

  it('does not match values above the bound', () => {
    const events = [...Array.from({ length: 50 }, (_, i) => proc(i, 'svchost.exe')), proc(60, 'rare.exe')];
    expect(evaluate([rare, rule('process_creation')], events).matches).toEqual([]); // 1/51 ≈ 1.96 %
  });
});

import { describe, expect, it } from 'vitest';
import { correlation, ev, evaluate, rule, setup, T0 } from './test-support.ts';

const failed = (s: number, host = 'h1', extra: Record<string, unknown> = {}) =>
  ev(s, { kind: 'failed_login', ComputerName: host, ...extra });

// The specification's example: ≥ 100 failed logins to a destination host within an hour.
const many = (condition = 'gte: 100', span = '1h', groupBy = '- ComputerName') =>
  correlation(`type: event_count
rules:
  - failed_login
group-by:
  ${groupBy}
timespan: ${span}
condition:
  ${condition}`);

const docs = (c = many()) => [c, rule('failed_login')];
const times = (n: number, step: number, host = 'h1', from = 0) =>
  Array.from({ length: n }, (_, i) => failed(from + i * step, host));

describe('event_count', () => {
  it("matches the specification's example: 100 failed logins on one host within an hour", () => {
    const { matches } = evaluate(docs(), times(100, 30));
    expect(matches).toHaveLength(1);
    expect(matches[0]!.group).toEqual({ ComputerName: 'h1' });
    expect(matches[0]!.events).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(matches[0]!.value).toBe(100);
    expect(matches[0]!.correlation.title).toBe('corr');
  });

  it('does not match 99', () => {
    expect(evaluate(docs(), times(99, 30)).matches).toEqual([]);
  });

  it('does not match 100 spread over more than the timespan (sliding window)', () => {
    // 100 events 37 s apart span 61 minutes: any hour holds at most 98 of them.
    expect(evaluate(docs(), times(100, 37)).matches).toEqual([]);
  });

  it('the window slides: events that fell out of it no longer count, later ones do', () => {
    const early = times(50, 1); // t = 0..49 s
    const late = times(100, 1, 'h1', 4000); // more than an hour later
    const { matches } = evaluate(docs(), [...early, ...late]);
    expect(matches).toHaveLength(1);
    expect(matches[0]!.events[0]).toBe(50);
  });

  it('counts every group separately', () => {
    const events = [...times(60, 1, 'a'), ...times(60, 1, 'b', 100)];
    expect(evaluate(docs(), events).matches).toEqual([]);
    const both = evaluate(docs(many('gte: 60')), events).matches;
    expect(both.map((m) => m.group)).toEqual([{ ComputerName: 'a' }, { ComputerName: 'b' }]);
  });

  it('groups by several fields at once (AND)', () => {
    const c = many('gte: 2', '1h', '- TargetUserName\n  - TargetDomainName');
    const e = (s: number, user: string, domain: string) =>
      ev(s, { kind: 'failed_login', TargetUserName: user, TargetDomainName: domain });
    const { matches } = evaluate(docs(c), [e(0, 'bob', 'A'), e(1, 'bob', 'B'), e(2, 'bob', 'A')]);
    expect(matches.map((m) => [m.group, m.events])).toEqual([
      [{ TargetUserName: 'bob', TargetDomainName: 'A' }, [0, 2]],
    ]);
  });

  it('a burst gives one match per group per timespan, not one per event', () => {
    const run = evaluate(docs(many('gte: 10')), times(1000, 1)); // 1,000 events in 17 minutes
    expect(run.matches).toHaveLength(1);
    expect(run.matches[0]!.events).toHaveLength(10);
    expect(run.engine.stats.suppressed).toBe(990);
  });

  it('fires again once the quiet timespan after a match has passed', () => {
    const run = evaluate(docs(many('gte: 10', '10m')), times(300, 5)); // 25 minutes
    // quiet for 10 minutes after each match, then 10 fresh events: matches at 45 s, 11 min 35 s, 22 min 25 s.
    expect(run.matches.map((m) => (m.time - T0) / 1000)).toEqual([45, 695, 1345]);
  });

  it('events exactly one timespan apart are within it', () => {
    const c = many('gte: 2', '1m');
    expect(evaluate(docs(c), [failed(0), failed(60)]).matches).toHaveLength(1);
    expect(evaluate(docs(c), [failed(0), failed(61)]).matches).toHaveLength(0);
  });

  it('without group-by, all events form one group', () => {
    const c = correlation('type: event_count\nrules: [failed_login]\ntimespan: 1m\ncondition: {gte: 3}');
    const { matches } = evaluate(docs(c), [failed(0, 'a'), failed(1, 'b'), failed(2, 'c')]);
    expect(matches.map((m) => m.group)).toEqual([{}]);
  });

  it('an event lacking a group-by field counts in no group', () => {
    const c = many('gte: 2');
    const run = evaluate(docs(c), [
      failed(0),
      ev(1, { kind: 'failed_login' }),
      ev(2, { kind: 'failed_login' }),
    ]);
    expect(run.matches).toEqual([]);
    expect(run.engine.stats.noGroup).toBe(2);
  });

  it('a group-by field with several values counts the event in each of their groups', () => {
    const c = many('gte: 2');
    const { matches } = evaluate(docs(c), [
      failed(0, 'a'),
      ev(1, { kind: 'failed_login', ComputerName: ['a', 'b'] }),
    ]);
    expect(matches.map((m) => m.group)).toEqual([{ ComputerName: 'a' }]);
  });

  it('group values are exact: "H1" and "h1" are different groups', () => {
    expect(evaluate(docs(many('gte: 2')), [failed(0, 'h1'), failed(1, 'H1')]).matches).toEqual([]);
  });

  it('counts out-of-order events by event time', () => {
    const events = [failed(50), failed(10), failed(30)];
    const { matches } = evaluate(docs(many('gte: 3', '1m')), events);
    expect(matches).toHaveLength(1);
    expect(matches[0]!.events).toEqual([1, 2, 0]); // ordered by event time
  });

  it('drops an event older than its group window as late', () => {
    const run = evaluate(docs(many('gte: 2', '1m')), [failed(500), failed(10)]);
    expect(run.matches).toEqual([]);
    expect(run.engine.stats.late).toBe(1);
  });

  it('lt is decided when the window is complete, not on the first event', () => {
    const c = many('lt: 3', '1m');
    const run = setup(docs(c));
    expect(run.feed([failed(0), failed(10)])).toEqual([]);
    // An event of another group a minute later completes the first group's window.
    const closed = run.feed([failed(100, 'other')]);
    expect(closed.map((m) => [m.group, m.value, m.events])).toEqual([[{ ComputerName: 'h1' }, 2, [0, 1]]]);
  });

  it('lt does not match a window that reached the bound', () => {
    const { matches } = evaluate(docs(many('lt: 3', '1m')), [failed(0), failed(10), failed(20)]);
    expect(matches).toEqual([]);
  });

  it('eq matches exactly that count in a complete window', () => {
    const c = many('eq: 2', '1m');
    expect(evaluate(docs(c), [failed(0), failed(10)]).matches).toHaveLength(1);
    expect(evaluate(docs(c), [failed(0), failed(10), failed(20)]).matches).toHaveLength(0);
    expect(evaluate(docs(c), [failed(0)]).matches).toHaveLength(0);
  });

  it('neq matches any other count', () => {
    const c = many('neq: 2', '1m');
    expect(evaluate(docs(c), [failed(0), failed(10), failed(20)]).matches).toHaveLength(1);
    expect(evaluate(docs(c), [failed(0), failed(10)]).matches).toHaveLength(0);
  });

  it('a range (gt + lte) is decided on the complete window', () => {
    const c = many('gt: 2\n  lte: 4', '1m');
    expect(evaluate(docs(c), times(3, 1)).matches.map((m) => m.value)).toEqual([3]);
    expect(evaluate(docs(c), times(5, 1)).matches).toEqual([]);
    expect(evaluate(docs(c), times(2, 1)).matches).toEqual([]);
  });

  it('a window after the first one is a new window', () => {
    const c = many('eq: 2', '1m');
    const { matches } = evaluate(docs(c), [failed(0), failed(10), failed(100), failed(110), failed(120)]);
    expect(matches.map((m) => m.events)).toEqual([[0, 1]]);
  });

  it('refers to rules by id as well as by name', () => {
    const id = '5638f7c0-ac70-491d-8465-2a65075e0d86';
    const c = correlation(
      `type: event_count\nrules:\n  - ${id}\ngroup-by: [ComputerName]\ntimespan: 1h\ncondition: {gte: 2}`,
    );
    const { matches } = evaluate([c, rule('failed_login', `id: ${id}\n`)], times(2, 1));
    expect(matches).toHaveLength(1);
  });

  it('counts the events of all the rules it refers to', () => {
    const c = correlation(
      'type: event_count\nrules: [a, b]\ngroup-by: [host]\ntimespan: 1m\ncondition: {gte: 2}',
    );
    const { matches } = evaluate(
      [c, rule('a'), rule('b'), rule('c')],
      [ev(0, { kind: 'a', host: 'x' }), ev(1, { kind: 'c', host: 'x' }), ev(2, { kind: 'b', host: 'x' })],
    );
    expect(matches.map((m) => m.events)).toEqual([[0, 2]]);
  });
});

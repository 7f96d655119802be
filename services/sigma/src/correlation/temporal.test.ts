import { describe, expect, it } from 'vitest';
import { correlation, ev, evaluate, rule, setup } from './test-support.ts';

// The specification's temporal example: three recon commands, any order, within 5 minutes, same system and user.
const recon = (type = 'temporal', extra = '') =>
  correlation(`type: ${type}
rules:
  - recon_cmd_a
  - recon_cmd_b
  - recon_cmd_c
group-by:
  - ComputerName
  - User
timespan: 5m
${extra}`);
const rules = [rule('recon_cmd_a'), rule('recon_cmd_b'), rule('recon_cmd_c')];
const cmd = (s: number, which: string, user = 'bob', host = 'pc1') =>
  ev(s, { kind: `recon_cmd_${which}`, ComputerName: host, User: user });

describe('temporal', () => {
  it('matches when every referenced rule has an event in the timespan, in any order', () => {
    const { matches } = evaluate([recon(), ...rules], [cmd(0, 'c'), cmd(60, 'a'), cmd(120, 'b')]);
    expect(matches).toHaveLength(1);
    expect(matches[0]!.group).toEqual({ ComputerName: 'pc1', User: 'bob' });
    expect(matches[0]!.events).toEqual([0, 1, 2]);
    expect(matches[0]!.value).toBe(3);
  });

  it('does not match when one rule is missing, however many events the others have', () => {
    const events = [cmd(0, 'a'), cmd(1, 'a'), cmd(2, 'b'), cmd(3, 'b')];
    expect(evaluate([recon(), ...rules], events).matches).toEqual([]);
  });

  it('does not match when the events are further apart than the timespan', () => {
    expect(evaluate([recon(), ...rules], [cmd(0, 'a'), cmd(100, 'b'), cmd(301, 'c')]).matches).toEqual([]);
  });

  it('needs the same group-by values on all events', () => {
    const events = [cmd(0, 'a'), cmd(1, 'b'), cmd(2, 'c', 'alice')];
    expect(evaluate([recon(), ...rules], events).matches).toEqual([]);
  });

  it('a condition sets how many of the rules are needed', () => {
    const two = recon('temporal', 'condition:\n  gte: 2');
    expect(evaluate([two, ...rules], [cmd(0, 'a'), cmd(1, 'c')]).matches.map((m) => m.value)).toEqual([2]);
    expect(evaluate([two, ...rules], [cmd(0, 'a'), cmd(1, 'a')]).matches).toEqual([]);
  });
});

describe('temporal_ordered', () => {
  it('matches when the events occur in the order of the rules', () => {
    const { matches } = evaluate(
      [recon('temporal_ordered'), ...rules],
      [cmd(0, 'a'), cmd(1, 'b'), cmd(2, 'c')],
    );
    expect(matches).toHaveLength(1);
  });

  it('does not match the same events in another order', () => {
    const events = [cmd(0, 'b'), cmd(1, 'a'), cmd(2, 'c')];
    expect(evaluate([recon('temporal_ordered'), ...rules], events).matches).toEqual([]);
    // The unordered type does.
    expect(evaluate([recon('temporal'), ...rules], events).matches).toHaveLength(1);
  });

  it('orders by event time, not arrival', () => {
    const events = [cmd(20, 'c'), cmd(0, 'a'), cmd(10, 'b')];
    const { matches } = evaluate([recon('temporal_ordered'), ...rules], events);
    expect(matches.map((m) => m.events)).toEqual([[1, 2, 0]]);
  });

  it('finds the order among other events of the rules', () => {
    const events = [cmd(0, 'c'), cmd(1, 'a'), cmd(2, 'c'), cmd(3, 'b'), cmd(4, 'a'), cmd(5, 'c')];
    expect(evaluate([recon('temporal_ordered'), ...rules], events).matches).toHaveLength(1);
  });

  it('with a condition, counts the rules matched in order', () => {
    const two = recon('temporal_ordered', 'condition:\n  gte: 2');
    expect(evaluate([two, ...rules], [cmd(0, 'a'), cmd(1, 'c')]).matches).toHaveLength(1);
    expect(evaluate([two, ...rules], [cmd(0, 'c'), cmd(1, 'a')]).matches).toEqual([]);
  });
});

describe('aliases', () => {
  // The specification's example: the internal host of a 500 error opens a connection to the same remote host.
  const docs = [
    correlation(`type: temporal
rules:
  - internal_error
  - new_network_connection
group-by:
  - internal_ip
  - remote_ip
timespan: 10s
aliases:
  internal_ip:
    internal_error: destination.ip
    new_network_connection: source.ip
  remote_ip:
    internal_error: source.ip
    new_network_connection: destination.ip`),
    'name: internal_error\ntitle: internal error\nlogsource: {category: webserver}\ndetection:\n  selection:\n    http.response.status_code: 500\n  condition: selection',
    'name: new_network_connection\ntitle: connection\nlogsource: {category: network_connection}\ndetection:\n  selection:\n    event.category: network\n    event.type: connection\n    event.outcome: success\n  condition: selection',
  ];
  const error500 = (s: number, src: string, dst: string) =>
    ev(s, { http: { response: { status_code: 500 } }, source: { ip: src }, destination: { ip: dst } });
  const conn = (s: number, src: string, dst: string) =>
    ev(s, {
      event: { category: 'network', type: 'connection', outcome: 'success' },
      source: { ip: src },
      destination: { ip: dst },
    });

  it('groups each rule by its own field for the alias', () => {
    const { matches } = evaluate(docs, [
      error500(0, '203.0.113.9', '10.1.1.1'),
      conn(5, '10.1.1.1', '203.0.113.9'),
    ]);
    expect(matches.map((m) => [m.group, m.events])).toEqual([
      [{ internal_ip: '10.1.1.1', remote_ip: '203.0.113.9' }, [0, 1]],
    ]);
  });

  it('does not match when the aliased fields differ', () => {
    // Same addresses in the same fields of both events: the aliases make them different groups.
    const events = [error500(0, '203.0.113.9', '10.1.1.1'), conn(5, '203.0.113.9', '10.1.1.1')];
    expect(evaluate(docs, events).matches).toEqual([]);
  });

  it('does not match outside the timespan', () => {
    const events = [error500(0, '203.0.113.9', '10.1.1.1'), conn(11, '10.1.1.1', '203.0.113.9')];
    expect(evaluate(docs, events).matches).toEqual([]);
  });
});

describe('generate', () => {
  const count = (generate?: boolean) =>
    `${generate === undefined ? '' : `generate: ${generate}\n`}${correlation('type: event_count\nrules: [a]\ngroup-by: [host]\ntimespan: 1m\ncondition: {gte: 2}')}`;
  const events = [
    ev(0, { kind: 'a', host: 'x' }),
    ev(1, { kind: 'a', host: 'x' }),
    ev(2, { kind: 'b', host: 'x' }),
  ];

  it('by default, the rules a correlation refers to are not output on their own', () => {
    const run = evaluate([count(), rule('a'), rule('b')], events);
    expect(run.base).toEqual([['b', 2]]);
    expect(run.matches).toHaveLength(1);
  });

  it('generate: true outputs them as well', () => {
    const run = evaluate([count(true), rule('a'), rule('b')], events);
    expect(run.base).toEqual([
      ['a', 0],
      ['a', 1],
      ['b', 2],
    ]);
    expect(run.matches).toHaveLength(1);
  });

  it('generate: false is the default spelled out', () => {
    expect(evaluate([count(false), rule('a'), rule('b')], events).base).toEqual([['b', 2]]);
  });
});

describe('chaining', () => {
  // The specification's complete example: many failed logins followed by a successful login of that user.
  const example = [
    `title: Correlation - Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
level: high
${correlation('type: temporal_ordered\nrules:\n  - multiple_failed_login\n  - successful_login\ngroup-by:\n  - User\ntimespan: 10m', '')}`,
    `title: Multiple failed logons
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
name: multiple_failed_login
${correlation('type: event_count\nrules:\n  - failed_login\ngroup-by:\n  - User\ntimespan: 10m\ncondition:\n  gte: 10', '')}`,
    'title: Single failed login\nid: 53ba33fd-3a50-4468-a5ef-c583635cfa92\nname: failed_login\nlogsource: {product: windows, service: security}\ndetection:\n  selection:\n    EventID: [529, 4625]\n  condition: selection',
    'title: Successful login\nid: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8\nname: successful_login\nlogsource: {product: windows, service: security}\ndetection:\n  selection:\n    EventID: [528, 4624]\n  condition: selection',
  ];
  const fail = (s: number, User = 'bob') => ev(s, { EventID: 4625, User, Computer: `pc${s}` });
  const ok = (s: number, User = 'bob') => ev(s, { EventID: 4624, User });

  it('10 failed logins then a success of the same user within 10 minutes matches the outer correlation', () => {
    const run = evaluate(example, [...Array.from({ length: 10 }, (_, i) => fail(i * 10)), ok(200)]);
    expect(run.matches.map((m) => [m.correlation.id, m.group, m.events])).toEqual([
      ['b180ead8-d58f-40b2-ae54-c8940995b9b6', { User: 'bob' }, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
    ]);
    // Neither the inner correlation nor the referenced rules are output (generate defaults to false).
    expect(run.base).toEqual([]);
  });

  it('the success before the failures does not match', () => {
    const run = evaluate(example, [ok(0), ...Array.from({ length: 10 }, (_, i) => fail(10 + i))]);
    expect(run.matches).toEqual([]);
  });

  it('9 failures are not enough', () => {
    expect(evaluate(example, [...Array.from({ length: 9 }, (_, i) => fail(i)), ok(100)]).matches).toEqual([]);
  });

  it('a success of another user does not match', () => {
    const run = evaluate(example, [...Array.from({ length: 10 }, (_, i) => fail(i)), ok(100, 'alice')]);
    expect(run.matches).toEqual([]);
  });

  it('the inner match enters the outer window at the time of its newest event', () => {
    // Failures from 0 to 540 s: the inner match is at 540 s; a success 10 minutes after it still matches.
    const failures = Array.from({ length: 10 }, (_, i) => fail(i * 60));
    expect(evaluate(example, [...failures, ok(1140)]).matches).toHaveLength(1);
    expect(evaluate(example, [...failures, ok(1141)]).matches).toEqual([]);
  });

  it('the inner correlation is output too when the outer one says generate: true', () => {
    const withGenerate = [`generate: true\n${example[0]}`, ...example.slice(1)];
    const run = setup(withGenerate);
    run.feed([...Array.from({ length: 10 }, (_, i) => fail(i)), ok(100)]);
    expect(run.matches.map((m) => m.correlation.title)).toEqual([
      'Multiple failed logons',
      'Correlation - Multiple Failed Logins Followed by Successful Login',
    ]);
    // ... but failed_login, referred to by the inner one (no generate), still is not.
    expect(run.base.map(([r]) => r)).toEqual(['successful_login']);
  });
});

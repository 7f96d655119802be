import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../pipeline/index.ts';
import { combinations, scalars, toNumber } from './fields.ts';
import { correlation, setup } from './test-support.ts';

const bruteForce = [
  correlation(
    'type: event_count\nrules: [failed_login]\ngroup-by: [TargetUserName]\ntimespan: 5m\ncondition: {gte: 3}',
  ),
  'title: failed\nname: failed_login\nlogsource: {product: windows, service: security}\ndetection:\n  sel:\n    EventID: 4625\n  condition: sel',
];

/** A Security 4625 event as EVTX renders it (the shape of SigmaHQ's regression data). */
const evtx = (time: string, user: string) => ({
  Event: {
    System: {
      EventID: 4625,
      Channel: 'Security',
      Computer: 'dc1',
      TimeCreated: { '#attributes': { SystemTime: time } },
    },
    EventData: { TargetUserName: user, IpAddress: '203.0.113.7' },
  },
});

describe('fields and time through a pipeline', () => {
  it('windows: groups by Event.EventData.* and times events by Event.System.TimeCreated', () => {
    const run = setup(bruteForce, {}, loadPipeline('windows'));
    run.feed([
      evtx('2025-11-27T07:40:00.000Z', 'admin'),
      evtx('2025-11-27T07:41:00.000Z', 'admin'),
      evtx('2025-11-27T07:41:30.000Z', 'guest'),
      evtx('2025-11-27T07:44:59.000Z', 'admin'),
    ]);
    expect(run.matches.map((m) => [m.group, m.events])).toEqual([[{ TargetUserName: 'admin' }, [0, 1, 3]]]);
    expect(run.base).toEqual([]); // failed_login is consumed by the correlation
  });

  it('windows: events further apart than the timespan by their SystemTime do not match', () => {
    const run = setup(bruteForce, {}, loadPipeline('windows'));
    run.feed([
      evtx('2025-11-27T07:40:00Z', 'admin'),
      evtx('2025-11-27T07:43:00Z', 'admin'),
      evtx('2025-11-27T07:45:01Z', 'admin'),
    ]);
    expect(run.matches).toEqual([]);
  });

  it('ecs: groups by winlog.event_data.* and times events by @timestamp', () => {
    const ecs = (t: string, user: string) => ({
      '@timestamp': t,
      winlog: { channel: 'Security', event_id: 4625, event_data: { TargetUserName: user } },
    });
    const run = setup(bruteForce, {}, loadPipeline('ecs'));
    run.feed([
      ecs('2025-01-01T00:00:00Z', 'a'),
      ecs('2025-01-01T00:01:00Z', 'a'),
      ecs('2025-01-01T00:02:00Z', 'a'),
    ]);
    expect(run.matches.map((m) => m.group)).toEqual([{ TargetUserName: 'a' }]);
  });
});

describe('field values', () => {
  it('keeps scalar values, once each', () => {
    expect(scalars(['a', 1, true, 'a', null, undefined, { x: 1 }, Number.NaN])).toEqual(['a', 1, true]);
  });

  it('forms every combination of several fields, at most max', () => {
    expect(combinations([['a', 'b'], [1]], 16)).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    expect(
      combinations(
        [
          ['a', 'b'],
          [1, 2],
        ],
        3,
      ),
    ).toHaveLength(3);
    expect(combinations([['a'], []], 16)).toEqual([]);
    expect(combinations([], 16)).toEqual([[]]);
  });

  it('reads numbers and numeric strings only', () => {
    expect([
      toNumber(5),
      toNumber('1024'),
      toNumber(' 2.5 '),
      toNumber('x'),
      toNumber(''),
      toNumber(true),
    ]).toEqual([5, 1024, 2.5, undefined, undefined, undefined]);
  });
});

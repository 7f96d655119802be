import { describe, expect, it } from 'vitest';
import { correlation, ev, rule, setup, T0 } from './test-support.ts';

const count = (condition = 'gte: 3', span = '1m') =>
  correlation(
    `type: event_count\nrules: [a]\ngroup-by: [host]\ntimespan: ${span}\ncondition: {${condition}}`,
  );
const a = (s: number, host: string) => ev(s, { kind: 'a', host });

describe('bounded memory', () => {
  it('evicts the least recently updated group beyond maxGroups and counts it', () => {
    const run = setup([count(), rule('a')], { maxGroups: 2 });
    run.feed([a(0, 'x'), a(1, 'x'), a(2, 'y'), a(3, 'x'), a(4, 'z')]);
    // x was completed at t=3 (matched and quiet); at t=4 z arrives: y, the least recently updated, goes.
    expect(run.engine.groups).toBe(2);
    expect(run.engine.stats.evictedGroups).toBe(1);
    expect(run.engine.stats.evictedEvents).toBe(1);
    run.feed([a(5, 'y'), a(6, 'y')]); // y starts afresh: 2 events are not 3
    expect(run.matches.map((m) => m.group)).toEqual([{ host: 'x' }]);
  });

  it('keeps a recently updated group over an older one', () => {
    const run = setup([count(), rule('a')], { maxGroups: 2 });
    run.feed([a(0, 'x'), a(1, 'y'), a(2, 'x'), a(3, 'z'), a(4, 'x')]);
    expect(run.matches.map((m) => m.group)).toEqual([{ host: 'x' }]);
  });

  it('drops the oldest events of a group beyond maxEventsPerGroup', () => {
    const run = setup([count('lt: 100'), rule('a')], { maxEventsPerGroup: 3 });
    run.feed([a(0, 'x'), a(1, 'x'), a(2, 'x'), a(3, 'x'), a(4, 'x')]);
    expect(run.engine.eventsHeld).toBe(3);
    expect(run.engine.stats.evictedEvents).toBe(2);
    expect(run.engine.flush().map((m) => m.events)).toEqual([[2, 3, 4]]);
  });

  it('evicts groups to stay under maxEvents across all groups', () => {
    const run = setup([count('gte: 100'), rule('a')], { maxEvents: 4 });
    run.feed([a(0, 'x'), a(1, 'x'), a(2, 'y'), a(3, 'y'), a(4, 'z')]);
    expect(run.engine.eventsHeld).toBeLessThanOrEqual(4);
    expect(run.engine.stats.evictedGroups).toBe(1);
    expect(run.engine.groups).toBe(2);
  });

  it('holds a bounded number of groups over a long stream of distinct keys', () => {
    const run = setup([count('gte: 2'), rule('a')], { maxGroups: 100 });
    run.feed(Array.from({ length: 5000 }, (_, i) => a(i / 1000, `h${i}`)));
    expect(run.engine.groups).toBe(100);
    expect(run.engine.stats.evictedGroups).toBe(4900);
  });
});

describe('expiry', () => {
  it('forgets a group once the stream has moved past its timespan', () => {
    const run = setup([count(), rule('a')]);
    run.feed([a(0, 'x'), a(1, 'x')]);
    expect(run.engine.groups).toBe(1);
    run.feed([a(62, 'y')]);
    expect(run.engine.groups).toBe(1); // x expired, y is new
    expect(run.engine.eventsHeld).toBe(1);
    expect(run.engine.stats.expiredGroups).toBe(1);
  });

  it('keeps a group whose window is still open', () => {
    const run = setup([count(), rule('a')]);
    run.feed([a(0, 'x'), a(30, 'y'), a(59, 'y')]);
    expect(run.engine.groups).toBe(2);
    run.feed([a(60, 'x')]);
    expect(run.matches).toEqual([]);
    run.feed([a(60, 'x')]);
    expect(run.matches.map((m) => m.events)).toEqual([[0, 3, 4]]);
  });

  it('advance() closes windows that ended without an event', () => {
    const run = setup([count('lt: 5'), rule('a')]);
    run.feed([a(0, 'x')]);
    expect(run.engine.advance(T0 + 60_000)).toEqual([]); // the window's last instant
    expect(run.engine.advance(T0 + 60_001).map((m) => m.group)).toEqual([{ host: 'x' }]);
    expect(run.engine.groups).toBe(0);
  });

  it('latenessMs keeps windows open for late events of their group', () => {
    const late = setup([count('lt: 5'), rule('a')], { latenessMs: 30_000 });
    late.feed([a(0, 'x'), a(70, 'y'), a(10, 'x')]);
    expect(late.engine.stats.late).toBe(0);
    expect(late.engine.flush().find((m) => m.group.host === 'x')?.events).toEqual([0, 2]);
    const strict = setup([count('lt: 5'), rule('a')]);
    strict.feed([a(0, 'x'), a(70, 'y'), a(10, 'x')]);
    // Without lateness x's window closed at t=70 with one event; the late one opens a new window.
    expect(strict.matches.map((m) => m.events)).toEqual([[0]]);
  });

  it('counts events without a usable time and ignores them', () => {
    const run = setup([count('gte: 2'), rule('a')]);
    run.feed([
      { kind: 'a', host: 'x' },
      { kind: 'a', host: 'x', '@timestamp': 'yesterday' },
    ]);
    expect(run.engine.stats.noTime).toBe(2);
    expect(run.engine.groups).toBe(0);
  });
});

describe('snapshot and restore', () => {
  const docs = [count('gte: 4'), rule('a')];

  it('carries windows across a restart: the count continues where it was', () => {
    const before = setup(docs);
    before.feed([a(0, 'x'), a(1, 'x'), a(2, 'y')]);
    const saved = JSON.parse(JSON.stringify(before.engine.snapshot()));
    const after = setup(docs, {}, undefined, 3); // the input continues at event 3
    expect(after.engine.restore(saved)).toBe(2);
    expect(after.engine.eventsHeld).toBe(3);
    after.feed([a(3, 'x'), a(4, 'x')]);
    expect(after.matches.map((m) => [m.group, m.events])).toEqual([[{ host: 'x' }, [0, 1, 3, 4]]]);
  });

  it('restores quiet groups and the watermark', () => {
    const before = setup(docs);
    before.feed([a(0, 'x'), a(1, 'x'), a(2, 'x'), a(3, 'x')]);
    expect(before.matches).toHaveLength(1);
    const after = setup(docs);
    after.engine.restore(JSON.parse(JSON.stringify(before.engine.snapshot())));
    after.feed([a(4, 'x'), a(5, 'x'), a(6, 'x'), a(7, 'x')]);
    expect(after.matches).toEqual([]); // still quiet
    expect(after.engine.stats.suppressed).toBe(4);
    expect(after.engine.snapshot().watermark).toBe(T0 + 7000);
  });

  it('keeps the eviction order', () => {
    const before = setup(docs, { maxGroups: 2 });
    before.feed([a(0, 'x'), a(1, 'y'), a(2, 'x')]);
    const after = setup(docs, { maxGroups: 2 });
    after.engine.restore(before.engine.snapshot());
    after.feed([a(3, 'z')]);
    expect(after.engine.snapshot().groups.map((g) => g.values)).toEqual([['x'], ['z']]);
  });

  it('drops groups of correlations that are no longer loaded', () => {
    const before = setup(docs);
    before.feed([a(0, 'x')]);
    const s = before.engine.snapshot();
    s.groups[0]!.correlation = 'gone';
    const after = setup(docs);
    expect(after.engine.restore(s)).toBe(0);
  });

  it('rejects a malformed snapshot', () => {
    const run = setup(docs);
    expect(() => run.engine.restore({ version: 2, groups: [] })).toThrow();
    expect(() =>
      run.engine.restore({ version: 1, watermark: null, groups: [{ correlation: 'c' }] }),
    ).toThrow();
  });
});

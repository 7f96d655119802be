import { describe, expect, it } from 'vitest';
import { fold, ruleHit } from './alert.ts';

const rule = {
  key: 'r1',
  title: 'Rule',
  level: 'high',
  tags: ['attack.t1110.001', 'attack.credential-access'],
  version: 3,
};
const doc = (ip: string, t = '2026-03-11T03:00:00.000Z') => ({
  '@timestamp': t,
  host: { name: 'web01' },
  source: { ip },
  soc: { organization: { id: 'org-1', name: 'Sở TT&TT' }, system: { id: 'sys-1' }, security_level: 3 },
  event: { original: 'x'.repeat(10) },
});
const HOUR = 3_600_000;
const hit = (id: string, ip = '203.0.113.1', t = '2026-03-11T03:00:00.000Z') =>
  ruleHit(rule, doc(ip, t), id, Date.parse(t), HOUR);
const NOW = '2026-03-11T04:00:00.000Z';

describe('alert ids and grouping', () => {
  it('same rule, entity and window → same id; another entity or window → another id', () => {
    expect(hit('a:1').alertId).toBe(hit('a:2', '203.0.113.1', '2026-03-11T03:59:59.000Z').alertId);
    expect(hit('a:1').alertId).not.toBe(hit('a:1', '203.0.113.2').alertId);
    expect(hit('a:1').alertId).not.toBe(hit('a:1', '203.0.113.1', '2026-03-11T04:00:00.000Z').alertId);
  });

  it('a new alert carries rule, ATT&CK, organisation, system, level, entities, key fields without the original', () => {
    const a = fold(undefined, [hit('a:1')], 100, NOW)!;
    expect(a.rule).toMatchObject({
      id: 'r1',
      level: 'high',
      severity: 3,
      version: 3,
      attack: { techniques: ['T1110.001'], tactics: ['credential-access'] },
    });
    expect(a.organization).toEqual({ id: 'org-1', name: 'Sở TT&TT' });
    expect(a.system).toEqual({ id: 'sys-1' });
    expect(a.security_level).toBe(3);
    expect(a.entities).toEqual({ host: { name: 'web01' }, source: { ip: '203.0.113.1' } });
    expect((a.fields.event as Record<string, unknown>).original).toBeUndefined();
    expect(a).toMatchObject({ count: 1, status: 'open', retro: false, events: { ids: ['a:1'] } });
  });

  it('repeats fold into one alert with a count; first/last seen span them', () => {
    const a = fold(
      undefined,
      [
        hit('a:1', '203.0.113.1', '2026-03-11T03:10:00.000Z'),
        hit('a:2', '203.0.113.1', '2026-03-11T03:05:00.000Z'),
      ],
      100,
      NOW,
    )!;
    const b = fold(a, [hit('a:3', '203.0.113.1', '2026-03-11T03:20:00.000Z')], 100, NOW)!;
    expect(b).toMatchObject({
      count: 3,
      first_seen: '2026-03-11T03:05:00.000Z',
      last_seen: '2026-03-11T03:20:00.000Z',
    });
    expect(b.events.ids).toEqual(['a:1', 'a:2', 'a:3']);
  });

  it('an event already counted (a redelivery) changes nothing', () => {
    const a = fold(undefined, [hit('a:1'), hit('a:2')], 100, NOW)!;
    expect(fold(a, [hit('a:2'), hit('a:1')], 100, NOW)).toBeUndefined();
    expect(fold(a, [hit('a:2'), hit('a:3')], 100, NOW)!.count).toBe(3);
  });

  it('keeps the newest event ids, bounded, and workflow fields written by the API', () => {
    let a = fold(undefined, [hit('a:0')], 3, NOW)!;
    a = { ...a, status: 'acknowledged', assignee: { id: 'u1' } };
    for (let i = 1; i <= 5; i++) a = fold(a, [hit(`a:${i}`)], 3, NOW)!;
    expect(a.events.ids).toEqual(['a:3', 'a:4', 'a:5']);
    expect(a).toMatchObject({ count: 6, status: 'acknowledged', assignee: { id: 'u1' } });
  });

  it('an unknown Sigma level becomes medium rather than an invalid alert', () => {
    expect(ruleHit({ ...rule, level: undefined }, doc('1.1.1.1'), 'a:1', 0, HOUR).rule.level).toBe('medium');
  });
});

import { describe, expect, it } from 'vitest';
import { retentionSchema } from './config.ts';
import { day, eventsIndex, parseIndexName } from './layout.ts';
import { expiredIndices, retentionClasses, retentionDays } from './retention.ts';

const policy = retentionSchema.parse({
  defaultDays: 180,
  levels: { '3': 365 },
  organizations: { 'so-yte': 1095 },
  deadLetterDays: 30,
});

describe('retention policy and index names', () => {
  it('organisation policy wins over the level, the level over the default', () => {
    expect(retentionDays(policy, 'so-yte', 3)).toBe(1095);
    expect(retentionDays(policy, 'so-tttt', 3)).toBe(365);
    expect(retentionDays(policy, 'so-tttt', 2)).toBe(180);
    expect(retentionDays(policy, undefined, undefined)).toBe(180);
    expect(retentionClasses(policy)).toEqual([180, 365, 1095]);
  });

  it('names indices by period and UTC day, and reads the names back', () => {
    const t = Date.UTC(2026, 2, 11, 23, 59);
    expect(day(t)).toBe('2026.03.11');
    expect(eventsIndex('soc', 365, t)).toBe('soc-events-365d-2026.03.11');
    expect(parseIndexName('soc', 'soc-events-365d-2026.03.11')).toEqual({
      kind: 'events',
      days: 365,
      ms: Date.UTC(2026, 2, 11),
    });
    expect(parseIndexName('soc', 'soc-deadletter-2026.03.11')).toEqual({
      kind: 'deadletter',
      ms: Date.UTC(2026, 2, 11),
    });
    expect(parseIndexName('soc', 'other-events-365d-2026.03.11')).toBeUndefined();
    expect(parseIndexName('soc', 'soc-assets')).toBeUndefined();
  });

  it('an index expires once its whole day is older than its period', () => {
    const names = [
      'soc-events-30d-2026.03.01',
      'soc-events-365d-2026.03.01',
      'soc-deadletter-2026.03.01',
      'soc-assets',
    ];
    // 2026-03-01 + 31 days = 2026-04-01 00:00
    expect(expiredIndices('soc', names, policy, Date.UTC(2026, 2, 31, 23, 59))).toEqual([]);
    expect(expiredIndices('soc', names, policy, Date.UTC(2026, 3, 1))).toEqual([
      'soc-events-30d-2026.03.01',
      'soc-deadletter-2026.03.01',
    ]);
    expect(expiredIndices('soc', names, policy, Date.UTC(2027, 2, 2))).toEqual([
      'soc-events-30d-2026.03.01',
      'soc-events-365d-2026.03.01',
      'soc-deadletter-2026.03.01',
    ]);
  });
});

import type { CorrelationMatch } from '@soc/sigma';
import { describe, expect, it } from 'vitest';
import { CorrelationHits } from './correlation-hit.ts';

const correlation = {
  id: 'c1',
  title: 'Brute force then success',
  level: 'high',
  doc: { tags: ['attack.t1110'] },
};
const match = (events: string[], time: number): CorrelationMatch =>
  ({ correlation, group: { 'source.ip': '203.0.113.9' }, events, time, value: events.length }) as never;
const socOf = (org: string) => ({
  organization: { id: org },
  system: { id: `sys-${org}` },
  security_level: 3,
});

describe('correlation hits', () => {
  it('a match completed by one of its events copies that event, times from the remembered events', () => {
    const hits = new CorrelationHits(() => 2);
    hits.remember('e1', 1_000, { soc: socOf('a') });
    const current = { soc: socOf('b'), source: { ip: '203.0.113.9' } };
    hits.remember('e2', 2_000, current);
    const h = hits.hit(match(['e1', 'e2'], 2_000), 'e2', current);
    expect(h.doc).toBe(current);
    expect(h.first).toBe(new Date(1_000).toISOString());
    expect(h.last).toBe(new Date(2_000).toISOString());
    expect(h.rule).toMatchObject({ title: 'Brute force then success', version: 2 });
  });

  it('a match completed without its events (a window closing) keeps the group and the organisation, system and level its events share', () => {
    const hits = new CorrelationHits(() => 1);
    hits.remember('e1', 1_000, { soc: socOf('a') });
    hits.remember('e2', 2_000, { soc: socOf('a') });
    const h = hits.hit(match(['e1', 'e2'], 3_000), '', {});
    expect(h.doc).toEqual({ source: { ip: '203.0.113.9' }, soc: socOf('a') });
    expect(h.eventIds).toEqual(['e1', 'e2']);
  });

  it('events of one organisation on two systems: the organisation only', () => {
    const hits = new CorrelationHits(() => 1);
    hits.remember('e1', 1_000, { soc: socOf('a') });
    hits.remember('e2', 2_000, { soc: { ...socOf('a'), system: { id: 'other' }, security_level: 2 } });
    const h = hits.hit(match(['e1', 'e2'], 3_000), '', {});
    expect(h.doc.soc).toEqual({ organization: { id: 'a' } });
  });

  it('events of two organisations, one not enriched, or one forgotten: no owner, never one of them', () => {
    const two = new CorrelationHits(() => 1);
    two.remember('e1', 1_000, { soc: socOf('a') });
    two.remember('e2', 2_000, { soc: socOf('b') });
    expect(two.hit(match(['e1', 'e2'], 3_000), '', {}).doc).toEqual({ source: { ip: '203.0.113.9' } });

    const bare = new CorrelationHits(() => 1);
    bare.remember('e1', 1_000, { soc: socOf('a') });
    bare.remember('e2', 2_000, {});
    expect(bare.hit(match(['e1', 'e2'], 3_000), '', {}).doc).toEqual({ source: { ip: '203.0.113.9' } });

    const bounded = new CorrelationHits(() => 1, 2);
    bounded.remember('e1', 1_000, { soc: socOf('a') });
    bounded.remember('e2', 2_000, { soc: socOf('a') });
    bounded.remember('e3', 3_000, { soc: socOf('a') });
    const h = bounded.hit(match(['e1', 'e2', 'e3'], 3_000), '', {});
    expect(h.doc).toEqual({ source: { ip: '203.0.113.9' } });
    expect(h.first).toBe(new Date(2_000).toISOString());
  });
});

import {
  ALERT_INDEX_SORT,
  ALERT_LEVELS,
  type Alert,
  levelRank,
  severityRank,
  withSeverityRank,
} from '@soc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertDoc, ES_URL, type Harness, ORG_A, skipReason, startHarness } from '../../../test/harness.ts';
import { backfillSeverityRank } from './backfill.ts';

/**
 * The queue’s order on a sorted index (ALERT_INDEX_SORT) with many ties: few severities and
 * few distinct `last_seen`, so the tie-breakers decide most positions, and alerts spread over
 * several segments (one refresh per batch), which is where early termination could go wrong.
 */
describe.skipIf(!ES_URL)(`alert queue order and pages${skipReason}`, () => {
  let h: Harness;
  let analyst: string;
  const alerts: Alert[] = [];
  const t0 = Date.parse('2026-01-01T00:00:00.000Z');
  beforeAll(async () => {
    h = await startHarness('queue');
    analyst = h.tokens.get(`analyst@${ORG_A}`)!;
    // The harness seeds one alert per organisation: it is in the queue too.
    alerts.push((await h.es.get<Alert>({ index: h.deps.indices.alerts, id: `alert-${ORG_A}` }))._source!);
    for (let batch = 0; batch < 3; batch++) {
      const ops: object[] = [];
      for (let j = 0; j < 30; j++) {
        const i = batch * 30 + j;
        const level = ALERT_LEVELS[(i * 7) % 5]!;
        const t = new Date(t0 + ((i * 11) % 3) * 60_000).toISOString();
        // Ids not in index order, so `id` asc is not the order they were written in.
        const id = `q-${(i * 37) % 90}`.padEnd(6, 'x');
        const a: Alert = withSeverityRank({
          ...alertDoc(id, ORG_A, i, t0),
          rule: { ...alertDoc(id, ORG_A, i).rule, level, severity: levelRank(level) },
          first_seen: t,
          last_seen: t,
        });
        alerts.push(a);
        // The last batch as an older version wrote alerts: without `severity_rank`.
        const { severity_rank: _, ...older } = a;
        ops.push({ index: { _index: h.deps.indices.alerts, _id: id } }, batch === 2 ? older : a);
      }
      await h.es.bulk({ operations: ops as never, refresh: true });
    }
  });
  afterAll(() => h?.close());

  const pages = async (query: string, size: number) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    let n = 0;
    do {
      const res = await h.request(
        'GET',
        `/alerts?${query}&size=${size}${cursor ? `&cursor=${cursor}` : ''}`,
        {
          token: analyst,
        },
      );
      expect(res.status).toBe(200);
      const b = (await res.json()) as { items: Alert[]; total: number; next?: string };
      expect(b.total).toBe(alerts.length);
      ids.push(...b.items.map((a) => a.id));
      cursor = b.next;
    } while (cursor && ++n < 50);
    return ids;
  };
  const byId = (a: Alert, b: Alert) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const lastSeenDesc = (a: Alert, b: Alert) => Date.parse(b.last_seen) - Date.parse(a.last_seen);

  it('creates the alerts index sorted in the default view’s order (newest first)', async () => {
    const s = Object.values(await h.es.indices.getSettings({ index: h.deps.indices.alerts }))[0]!.settings!;
    expect(s.index?.sort).toEqual({ field: ALERT_INDEX_SORT.field, order: ALERT_INDEX_SORT.order });
  });

  it('older alerts get severity_rank: from a workflow change, then from the backfill', async () => {
    const unranked = alerts.slice(-30);
    const ack = await h.request('POST', `/alerts/${unranked[0]!.id}/acknowledge`, { token: analyst });
    const acked = (await ack.json()) as Alert;
    expect(acked.severity_rank).toBe(severityRank(unranked[0]!));
    alerts[alerts.length - 30] = { ...unranked[0]!, ...acked };
    expect(await backfillSeverityRank(h.es, h.deps.indices.alerts, 7)).toBe(29);
    expect(await backfillSeverityRank(h.es, h.deps.indices.alerts)).toBe(0);
    const stored = await h.es.mget<Alert>({ index: h.deps.indices.alerts, ids: unranked.map((a) => a.id) });
    expect(stored.docs.map((d) => ('_source' in d ? d._source?.severity_rank : undefined))).toEqual(
      unranked.map((a) => severityRank(a)),
    );
  });

  it('severity, highest first: ties broken by last_seen (newest first) then id, pages exact', async () => {
    const expected = [...alerts]
      .sort((a, b) => b.rule.severity - a.rule.severity || lastSeenDesc(a, b) || byId(a, b))
      .map((a) => a.id);
    expect(await pages('sort=severity', 7)).toEqual(expected);
    expect(await pages('sort=severity', 50)).toEqual(expected);
  });

  it('severity, lowest first (against the index order): same tie-breakers, pages exact', async () => {
    const expected = [...alerts]
      .sort((a, b) => a.rule.severity - b.rule.severity || lastSeenDesc(a, b) || byId(a, b))
      .map((a) => a.id);
    expect(await pages('sort=severity&order=asc', 11)).toEqual(expected);
  });

  it('a filter nothing matches: no items, total 0, no cursor', async () => {
    const res = await h.request('GET', '/alerts?host=no-such-host&sort=severity', { token: analyst });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [], total: 0 });
  });

  it('a cursor of another sort is a 400 problem (Elasticsearch refuses it), and the service stays up', async () => {
    const first = await h.request('GET', '/alerts?sort=severity&order=asc&size=5', { token: analyst });
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    const { next } = (await first.json()) as { next: string };
    const res = await h.request('GET', `/alerts?sort=last_seen&size=5&cursor=${next}`, { token: analyst });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { type: string }).type).toBe('https://soc.local/problems/validation');
    expect((await h.request('GET', '/alerts?size=1', { token: analyst })).status).toBe(200);
  });

  it('the default view, newest first: ties broken by id, pages exact', async () => {
    const expected = [...alerts].sort((a, b) => lastSeenDesc(a, b) || byId(a, b)).map((a) => a.id);
    expect(await pages('sort=last_seen', 13)).toEqual(expected);
  });
});

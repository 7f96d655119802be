import { Client } from '@elastic/elasticsearch';
import { ALERT_INDEX_SORT, ALERT_MAPPING, ALERTS_REFRESH_INTERVAL, socIndices } from '@soc/core';
import { needsStack, stackUrls } from '@soc/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureAlertIndices } from './store.ts';

describe.skipIf(!stackUrls)(`ensureAlertIndices${needsStack}`, () => {
  const ix = socIndices(`storetest-${process.pid}`);
  const older = socIndices(`storetest-old-${process.pid}`);
  const es = new Client({ node: stackUrls?.elasticsearchUrl ?? 'http://127.0.0.1:9200' });
  afterAll(async () => {
    await es.indices.delete({ index: `${ix.prefix}-*,${older.prefix}-*` }).catch(() => undefined);
    await es.close();
  });

  it('creates the alerts index sorted in the queue’s default order (as the API would), and a second run keeps it', async () => {
    await ensureAlertIndices(es, ix);
    await ensureAlertIndices(es, ix);
    const s = Object.values(await es.indices.getSettings({ index: ix.alerts }))[0]!.settings!;
    expect(s.index?.sort).toEqual({ field: ALERT_INDEX_SORT.field, order: ALERT_INDEX_SORT.order });
    expect(s.index?.refresh_interval).toBe(ALERTS_REFRESH_INTERVAL);
    // The rules index is not an alerts index: no sort there.
    const r = Object.values(await es.indices.getSettings({ index: ix.rules }))[0]!.settings!;
    expect(r.index?.sort).toBeUndefined();
  });

  it('adds fields to an alerts index an older version created (the mapping is strict), without its sort', async () => {
    const { severity_rank: _, ...props } = ALERT_MAPPING.properties;
    await es.indices.create({
      index: older.alertsConcrete,
      mappings: { ...ALERT_MAPPING, properties: props } as never,
      aliases: { [older.alerts]: {} },
    });
    await ensureAlertIndices(es, older);
    const m = Object.values(await es.indices.getMapping({ index: older.alerts }))[0]!.mappings;
    expect(m.properties?.severity_rank).toEqual({ type: 'long' });
    const s = Object.values(await es.indices.getSettings({ index: older.alerts }))[0]!.settings!;
    expect(s.index?.sort).toBeUndefined();
  });
});

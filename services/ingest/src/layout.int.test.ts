import { Client } from '@elastic/elasticsearch';
import { createLogger } from '@soc/core';
import { indexMappings } from '@soc/sigma/elasticsearch';
import { needsStack, stackUrls, uniqueName } from '@soc/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix } from '../test/harness.ts';
import { ingestSchema } from './config.ts';
import { ensureLayout, eventsIndex } from './layout.ts';
import { runRetention } from './retention.ts';

describe.skipIf(!stackUrls)(`Elasticsearch layout and retention${needsStack}`, () => {
  const prefix = uniqueName('it-layout').toLowerCase();
  const es = stackUrls ? new Client({ node: stackUrls.elasticsearchUrl }) : undefined!;
  afterAll(async () => {
    await deletePrefix(es, prefix);
    await es.close();
  });

  it('templates carry the Sigma mapping contract and the alias; the job deletes only expired indices', async () => {
    const config = ingestSchema.parse({
      indices: { prefix },
      retention: { defaultDays: 30, levels: { '3': 365 } },
    });
    await ensureLayout(es, config);
    // idempotent: every ingest process runs it
    await ensureLayout(es, config);
    const now = Date.UTC(2026, 10, 25);
    const old = eventsIndex(prefix, 30, Date.UTC(2026, 9, 1));
    const kept = eventsIndex(prefix, 365, Date.UTC(2026, 9, 1));
    const fresh = eventsIndex(prefix, 30, Date.UTC(2026, 10, 20));
    for (const index of [old, kept, fresh]) await es.indices.create({ index });
    const m = await es.indices.getMapping({ index: kept });
    const mappings = m[kept]!.mappings as Record<string, unknown>;
    expect(mappings.dynamic_templates).toEqual(indexMappings.dynamic_templates);
    expect(mappings.date_detection).toBe(false);
    const s = await es.indices.getSettings({ index: kept });
    expect(s[kept]!.settings!.index!.max_regex_length).toBe('65536');
    const alias = await es.indices.getAlias({ name: `${prefix}-events` });
    expect(Object.keys(alias).sort()).toEqual([old, kept, fresh].sort());
    const deleted = await runRetention(
      es,
      prefix,
      config.retention,
      createLogger({ service: 't', level: 'silent' }),
      now,
    );
    expect(deleted).toEqual([old]);
    expect(await es.indices.exists({ index: old })).toBe(false);
    expect(await es.indices.exists({ index: kept })).toBe(true);
    expect(await es.indices.exists({ index: fresh })).toBe(true);
  });
});

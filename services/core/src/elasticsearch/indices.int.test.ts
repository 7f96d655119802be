import { needsStack, stack, stackUrls, uniqueName } from '@soc/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socIndices } from '../model/indices.ts';
import { createElasticsearchClient, type ElasticsearchClient } from './client.ts';
import { alertIndexDefinitions, ensureIndex, type IndexDefinition } from './indices.ts';

describe.skipIf(!stackUrls)(
  `ensureIndex, shared by the services that create the product's indices${needsStack}`,
  () => {
    let es: ElasticsearchClient;
    const prefix = uniqueName('soc-test-ix');
    beforeAll(() => {
      es = createElasticsearchClient({
        url: stack().elasticsearchUrl,
        requestTimeoutMs: 30_000,
        maxRetries: 0,
      });
    });
    afterAll(async () => {
      await es.indices.delete({ index: `${prefix}-*` }).catch(() => undefined);
      await es.close();
    });

    it('creates with the defaults and its settings; concurrent creators all succeed; the alias writes', async () => {
      const ix = socIndices(prefix);
      const [alerts] = alertIndexDefinitions(ix);
      await Promise.all([ensureIndex(es, alerts!), ensureIndex(es, alerts!), ensureIndex(es, alerts!)]);
      const s = Object.values(await es.indices.getSettings({ index: ix.alertsConcrete }))[0]!.settings!
        .index!;
      expect(s.number_of_shards).toBe('1');
      expect(s.auto_expand_replicas).toBe('0-1');
      expect(s.refresh_interval).toBe('250ms');
      expect(s.sort).toMatchObject({ field: ['last_seen', 'id'] });
      const alias = await es.indices.getAlias({ name: ix.alerts });
      expect(alias[ix.alertsConcrete]?.aliases[ix.alerts]).toMatchObject({ is_write_index: true });
    });

    it('on an index an older version made: adds the new fields at any depth and the refresh interval, keeps the rest', async () => {
      const name = `${prefix}-older`;
      const v1: IndexDefinition = {
        name,
        mappings: { dynamic: 'strict', properties: { id: { type: 'keyword' } } },
      };
      await ensureIndex(es, v1);
      await expect(es.index({ index: name, id: 'a', document: { id: 'a', seen: 'x' } })).rejects.toThrow(
        /strict_dynamic_mapping_exception/,
      );
      const v2: IndexDefinition = {
        name,
        mappings: {
          dynamic: 'strict',
          properties: {
            id: { type: 'keyword' },
            seen: { type: 'keyword' },
            rule: { properties: { title: { type: 'keyword' }, author: { type: 'keyword' } } },
          },
        },
        settings: { refresh_interval: '2s', number_of_shards: 3 },
      };
      await ensureIndex(es, v2);
      const m = Object.values(await es.indices.getMapping({ index: name }))[0]!.mappings;
      expect(m.properties?.seen).toEqual({ type: 'keyword' });
      // a sub-field added under an existing object too
      expect(m.properties?.rule).toEqual({
        properties: { title: { type: 'keyword' }, author: { type: 'keyword' } },
      });
      expect(m.dynamic).toBe('strict');
      const s = Object.values(await es.indices.getSettings({ index: name }))[0]!.settings!.index!;
      expect(s.refresh_interval).toBe('2s');
      expect(s.number_of_shards).toBe('1'); // fixed at creation
      await es.index({ index: name, id: 'a', document: { id: 'a', seen: 'x' } });
      await ensureIndex(es, v2); // nothing left to do, nothing fails
    });
  },
);

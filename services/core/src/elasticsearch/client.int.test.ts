import { needsStack, stack, stackUrls, uniqueName } from '@soc/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElasticsearchClient, type ElasticsearchClient, waitForElasticsearch } from './client.ts';

describe.skipIf(!stackUrls)(`Elasticsearch client on the real cluster${needsStack}`, () => {
  let es: ElasticsearchClient;
  const prefix = uniqueName('soc-test');
  const index = `${prefix}-2026.11.23`;

  beforeAll(async () => {
    es = createElasticsearchClient({
      url: stack().elasticsearchUrl,
      requestTimeoutMs: 30_000,
      maxRetries: 0,
    });
    await waitForElasticsearch(es, 30_000);
    await es.indices.putIndexTemplate({
      name: prefix,
      index_patterns: [`${prefix}-*`],
      template: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: {
          dynamic: 'strict',
          properties: {
            '@timestamp': { type: 'date' },
            message: { type: 'text' },
            host: { properties: { name: { type: 'keyword' } } },
            source: { properties: { ip: { type: 'ip' } } },
            n: { type: 'long' },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await es?.indices.delete({ index: `${prefix}-*` }).catch(() => undefined);
    await es?.indices.deleteIndexTemplate({ name: prefix }).catch(() => undefined);
    await es?.close();
  });

  const doc = (i: number) => ({
    '@timestamp': new Date(Date.UTC(2026, 10, 23, 0, 0, i)).toISOString(),
    message: `Failed password for root from 10.0.${i % 4}.${i % 250} port 22 ssh2`,
    host: { name: `srv-${i % 5}` },
    source: { ip: `10.0.${i % 4}.${i % 250}` },
    n: i,
  });

  it('bulk-indexes through the template and searches with its mappings', async () => {
    const operations = Array.from({ length: 500 }, (_, i) => [
      { index: { _index: index, _id: `doc-${i}` } },
      doc(i),
    ]).flat();
    const res = await es.bulk({ operations, refresh: 'wait_for' });
    expect(res.errors).toBe(false);
    expect((await es.count({ index })).count).toBe(500);

    const mapping = await es.indices.getMapping({ index });
    expect(mapping[index]?.mappings.properties?.source).toMatchObject({ properties: { ip: { type: 'ip' } } });

    // The ip mapping makes CIDR queries work; a keyword mapping would match nothing.
    const cidr = await es.count({ index, query: { term: { 'source.ip': '10.0.1.0/24' } } });
    expect(cidr.count).toBe(125);
    const text = await es.count({ index, query: { match: { message: 'password' } } });
    expect(text.count).toBe(500);
  });

  it('keeps one document per _id when the same batch is indexed again', async () => {
    const operations = Array.from({ length: 500 }, (_, i) => [
      { index: { _index: index, _id: `doc-${i}` } },
      doc(i),
    ]).flat();
    const res = await es.bulk({ operations, refresh: 'wait_for' });
    expect(res.errors).toBe(false);
    expect((await es.count({ index })).count).toBe(500);
  });

  it('reports a per-item rejection instead of failing the whole bulk', async () => {
    const res = await es.bulk({
      refresh: 'wait_for',
      operations: [
        { index: { _index: index, _id: 'bad-ip' } },
        { ...doc(1), source: { ip: 'not-an-ip' } },
        { index: { _index: index, _id: 'unknown-field' } },
        { ...doc(2), surprise: true },
        { index: { _index: index, _id: 'good' } },
        doc(3),
      ],
    });
    expect(res.errors).toBe(true);
    const statuses = res.items.map((item) => item.index?.status);
    expect(statuses).toEqual([400, 400, 201]);
    expect(res.items[0]?.index?.error?.type).toBe('document_parsing_exception');
  });
});

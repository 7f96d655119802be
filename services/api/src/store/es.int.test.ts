import { randomBytes } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { socIndices } from '@soc/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ES_URL, skipReason } from '../../test/harness.ts';
import { ensureIndices } from './es.ts';
import { AGENT_MAPPING } from './mappings.ts';

describe.skipIf(!ES_URL)(`ensureIndices on indices an older version created${skipReason}`, () => {
  const es = new Client({ node: ES_URL ?? 'http://127.0.0.1:9200' });
  const ix = socIndices(`apitest-upgrade-${process.pid}-${randomBytes(3).toString('hex')}`);
  afterAll(async () => {
    await es.indices.delete({ index: `${ix.prefix}-*` }).catch(() => undefined);
    await es.close();
  });

  it('adds the fields a newer mapping has (strict mappings refuse them otherwise), and leaves the rest', async () => {
    const { nats_user: _new, ...older } = AGENT_MAPPING.properties;
    await es.indices.create({ index: ix.agents, mappings: { ...AGENT_MAPPING, properties: older } as never });
    await expect(
      es.index({ index: ix.agents, id: 'a', document: { id: 'a', nats_user: 'UX' } }),
    ).rejects.toThrow(/strict_dynamic_mapping_exception/);
    await ensureIndices(es, ix);
    const m = Object.values(await es.indices.getMapping({ index: ix.agents }))[0]!.mappings;
    expect(m.properties?.nats_user).toEqual({ type: 'keyword' });
    expect(m.dynamic).toBe('strict');
    await es.index({ index: ix.agents, id: 'a', document: { id: 'a', nats_user: 'UX' } });
    // Run again: nothing left to add, nothing fails.
    await ensureIndices(es, ix);
  });
});

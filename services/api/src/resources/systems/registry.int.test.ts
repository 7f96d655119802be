import { createLogger } from '@soc/core';
import { AssetSource } from '@soc/ingest';
import { enrich } from '@soc/normalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ES_URL, type Harness, ORG_A, skipReason, startHarness } from '../../../test/harness.ts';
import { syncAssetRegistry } from './registry.ts';

/**
 * Information systems managed through the API feed the asset registry ingest enriches from:
 * checked with ingest's own reader (`AssetSource`, what ingest and detection run) and
 * normalize's `enrich`, not by reading the index back.
 */
describe.skipIf(!ES_URL)(`information systems → asset registry${skipReason}`, () => {
  let h: Harness;
  let source: AssetSource;
  const logger = createLogger({ service: 'api-test', level: 'silent', pretty: false });
  /** What ingest would write under `soc.*` for an event of this address, after its next refresh. */
  const enrichedIp = async (ip: string) => {
    await source.load();
    const doc: Record<string, unknown> = { host: { ip: [ip] } };
    enrich(doc, source.registry);
    return doc.soc as {
      asset: { known: boolean };
      organization?: { id: string; name?: string };
      system?: { id: string };
      security_level?: number;
    };
  };

  beforeAll(async () => {
    h = await startHarness('assets');
    source = new AssetSource(h.es, h.deps.indices.assets, logger);
  });
  afterAll(() => h?.close());

  it('create, update and delete a system: the lookup ingest uses follows each change', async () => {
    const manager = h.tokens.get(`manager@${ORG_A}`)!;
    expect((await enrichedIp('10.77.0.5')).asset.known).toBe(false);

    const created = await h.request('POST', '/systems', {
      token: manager,
      body: {
        id: 'sys-registry',
        organization_id: ORG_A,
        name: 'Hệ thống một cửa điện tử',
        security_level: 3,
        hosts: ['motcua01'],
        ip_ranges: ['10.77.0.5'],
        public_ip_ranges: ['203.0.113.0/28'],
      },
    });
    expect(created.status).toBe(201);
    expect(await enrichedIp('10.77.0.5')).toEqual({
      asset: { known: true, id: 'sys-registry', matched_by: 'host.ip' },
      system: { id: 'sys-registry', name: 'Hệ thống một cửa điện tử' },
      organization: { id: ORG_A, name: `Organisation ${ORG_A}` },
      security_level: 3,
    });
    // the layer-4 public range and the host name belong to it too
    expect((await enrichedIp('203.0.113.9')).system?.id).toBe('sys-registry');
    expect(source.registry.byName('MOTCUA01.org-a.local')?.id).toBe('sys-registry');

    const raised = await h.request('PATCH', '/systems/sys-registry', {
      token: manager,
      body: { security_level: 5 },
    });
    expect(raised.status).toBe(200);
    expect((await enrichedIp('10.77.0.5')).security_level).toBe(5);

    const moved = await h.request('PATCH', '/systems/sys-registry', {
      token: manager,
      body: { ip_ranges: ['10.78.0.0/16'] },
    });
    expect(moved.status).toBe(200);
    expect((await enrichedIp('10.77.0.5')).asset.known).toBe(false);
    expect((await enrichedIp('10.78.4.2')).organization?.id).toBe(ORG_A);

    const deleted = await h.request('DELETE', '/systems/sys-registry', { token: manager });
    expect(deleted.status).toBe(200);
    expect((await enrichedIp('10.78.4.2')).asset.known).toBe(false);
    expect((await enrichedIp('203.0.113.9')).asset.known).toBe(false);
    expect((await h.request('GET', '/systems/sys-registry', { token: manager })).status).toBe(404);
    // the other systems are untouched
    expect(source.registry.byName(`web.${ORG_A}`)?.id).toBe(`sys-${ORG_A}`);
  });

  it('a system of another organisation cannot be deleted (404), and its registry entry stays', async () => {
    const res = await h.request('DELETE', `/systems/sys-${ORG_A}`, {
      token: h.tokens.get('manager@org-b')!,
    });
    expect(res.status).toBe(404);
    await source.load();
    expect(source.registry.byName(`web.${ORG_A}`)?.organization.id).toBe(ORG_A);
  });

  it('the start-up sync writes entries missing from the registry', async () => {
    await h.es.delete({ index: h.deps.indices.assets, id: `sys-${ORG_A}`, refresh: true });
    await source.load();
    expect(source.registry.byName(`web.${ORG_A}`)).toBeUndefined();
    const n = await syncAssetRegistry(h.es, h.deps.indices, logger);
    expect(n).toBeGreaterThanOrEqual(2);
    await source.load();
    expect(source.registry.byName(`web.${ORG_A}`)?.security_level).toBe(3);
  });
});

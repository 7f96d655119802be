import { randomBytes } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { apiSchema, buildDeps, createApi, ensureIndices } from '@soc/api';
import { createLogger, jetstream, type Shutdown } from '@soc/core';
import { needsStack, stackUrls } from '@soc/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLaneStream,
  deleteLane,
  type Lane,
  lane,
  laneConfig,
  publishLines,
  startInProcess,
  waitForCount,
} from '../../services/ingest/test/harness.ts';

/**
 * The whole loop, with the real ingest consuming the real NATS: a system registered (changed,
 * deleted) through the API changes how ingest enriches the next events, within its registry
 * refresh period (1 s here, `ingest.assets.refreshS`).
 */
describe.skipIf(!stackUrls)(`information systems in the API → events enriched by ingest${needsStack}`, () => {
  const l: Lane = lane('registry');
  let nc: NatsConnection;
  let es: Client;
  let shutdown: Shutdown;
  let api: ReturnType<typeof createApi>['app'];
  let token: string;
  let seq = 0;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await api.request(`/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
  };
  /** Publishes one line from the agent's host and returns its document's `soc` as ingest wrote it. */
  const nextEventSoc = async () => {
    seq++;
    await publishLines(jetstream(nc), l, 'agent1', seq, seq, (s) => `registry check ${s}`);
    expect(await waitForCount(es, `${l.prefix}-events`, seq, 20_000)).toBe(seq);
    // a search, not a get: the alias spans the retention indices the level picks between
    const res = await es.search<{ soc: Record<string, unknown> }>({
      index: `${l.prefix}-events`,
      query: { ids: { values: [`agent1:${seq}`] } },
    });
    return res.hits.hits[0]!._source!.soc;
  };
  /** Longer than ingest's refresh period, so its snapshot includes the change. */
  const refreshPeriod = () => new Promise((r) => setTimeout(r, 1_500));

  beforeAll(async () => {
    nc = await connect({ servers: stackUrls!.natsUrl });
    es = new Client({ node: stackUrls!.elasticsearchUrl });
    await createLaneStream(nc, l);
    const logger = createLogger({ service: 'e2e', level: 'silent', pretty: false });
    // The API and ingest share the index prefix, as they do by default (`soc`).
    const deps = buildDeps(
      es,
      apiSchema.parse({ indexPrefix: l.prefix, secret: randomBytes(32).toString('hex') }),
      logger,
    );
    await ensureIndices(es, deps.indices);
    api = createApi(deps).app;
    token = (
      await deps.tokens.issue({
        sub: 'admin',
        email: 'admin@e2e.test',
        roles: ['admin'],
        orgs: [],
        all: true,
        sid: 'e2e',
      })
    ).token;
    await call('POST', '/organizations', { id: 'so-yte', name: 'Sở Y tế' });
    shutdown = (
      await startInProcess(nc, stackUrls!.elasticsearchUrl, laneConfig(l, { assets: { refreshS: 1 } }))
    ).shutdown;
  });

  afterAll(async () => {
    await shutdown?.run('test end');
    await deleteLane(nc, es, l);
    await es.close();
    await nc?.close();
  });

  it('register, raise the level, delete: the next event follows each change', async () => {
    expect(await nextEventSoc()).toMatchObject({ asset: { known: false } });

    // the agent's host (`host-1`, as publishLines' messages name it) becomes a system's host
    await call('POST', '/systems', {
      id: 'his',
      organization_id: 'so-yte',
      name: 'Hệ thống thông tin bệnh viện',
      security_level: 3,
      hosts: ['host-1'],
    });
    await refreshPeriod();
    expect(await nextEventSoc()).toMatchObject({
      asset: { known: true, id: 'his' },
      organization: { id: 'so-yte', name: 'Sở Y tế' },
      system: { id: 'his', name: 'Hệ thống thông tin bệnh viện' },
      security_level: 3,
    });

    await call('PATCH', '/systems/his', { security_level: 4 });
    await refreshPeriod();
    expect(await nextEventSoc()).toMatchObject({ asset: { known: true }, security_level: 4 });

    await call('DELETE', '/systems/his');
    await refreshPeriod();
    const soc = await nextEventSoc();
    expect(soc).toMatchObject({ asset: { known: false } });
    expect(soc.organization).toBeUndefined();
  });
});

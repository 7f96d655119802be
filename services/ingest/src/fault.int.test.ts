import { Client } from '@elastic/elasticsearch';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@soc/core';
import { needsStack, stackUrls } from '@soc/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import {
  count,
  createLaneStream,
  deleteLane,
  IngestProcess,
  idCensus,
  type Lane,
  lane,
  laneConfig,
  publishLines,
  sleep,
  startInProcess,
  waitForCount,
} from '../test/harness.ts';
import { TcpProxy } from '../test/proxy.ts';

/**
 * Exactly once under faults, counted document by document against the real NATS and
 * Elasticsearch. Elasticsearch is taken away through a TCP proxy this test owns (the shared
 * server stays up for the other suites). The issue asks for a minute of outage; the default is
 * shorter but still four times the ack wait, so redelivery, keep-alive and backoff are all
 * exercised: SOC_FAULT_ES_DOWN_S=60 runs the full minute.
 */
const downS = Number(process.env.SOC_FAULT_ES_DOWN_S ?? 20);
const ACK_WAIT_S = 5;

async function consumerSettled(nc: NatsConnection, l: Lane, timeoutMs: number) {
  const jsm = await jetstreamManager(nc);
  const deadline = Date.now() + timeoutMs;
  let info = await jsm.consumers.info(l.stream, l.consumer);
  while (Date.now() < deadline && info.num_pending + info.num_ack_pending > 0) {
    await sleep(250);
    info = await jsm.consumers.info(l.stream, l.consumer);
  }
  return info;
}

describe.skipIf(!stackUrls)(`ingest under faults: Elasticsearch down, kill -9 mid-bulk${needsStack}`, () => {
  let nc: NatsConnection;
  const es = stackUrls ? new Client({ node: stackUrls.elasticsearchUrl }) : undefined!;
  const lanes: Lane[] = [];
  const proxies: TcpProxy[] = [];
  const children: IngestProcess[] = [];
  afterAll(async () => {
    for (const c of children) await c.kill9();
    for (const p of proxies) await p.down();
    for (const l of lanes) await deleteLane(nc, es, l);
    await nc?.close();
    await es.close();
  });

  it(
    `Elasticsearch down for ${downS} s during a steady flow: every published event indexed exactly once`,
    async () => {
      nc = await connect({ servers: stackUrls!.natsUrl });
      const l = lane('fault-es');
      lanes.push(l);
      await createLaneStream(nc, l);
      const proxy = TcpProxy.forUrl(stackUrls!.elasticsearchUrl);
      proxies.push(proxy);
      await proxy.up();
      const { shutdown } = await startInProcess(
        nc,
        proxy.url,
        laneConfig(l, {
          ackWaitS: ACK_WAIT_S,
          retry: { initialMs: 100, maxMs: 2000 },
          batch: { flushMs: 100, maxDocs: 500 },
        }),
      );
      const js = jetstream(nc);
      const rate = 200; // events per second, 50 every 250 ms
      const total = rate * (downS + 10);
      let published = 0;
      const flow = (async () => {
        while (published < total) {
          const next = Math.min(published + rate / 4, total);
          await publishLines(js, l, 'steady', published + 1, next, (s) => `steady event ${s}`);
          published = next;
          await sleep(250);
        }
      })();
      const alias = `${l.prefix}-events`;
      await sleep(5000);
      const before = await count(es, alias);
      expect(before).toBeGreaterThan(0);
      await proxy.down();
      await sleep(downS * 1000);
      // nothing can have been indexed through a closed proxy; the flow went on into the stream
      expect(published).toBeGreaterThan(before + rate * (downS - 2));
      await proxy.up();
      await flow;
      expect(await waitForCount(es, alias, total, 90_000)).toBe(total);
      const info = await consumerSettled(nc, l, 20_000);
      expect(info.num_pending + info.num_ack_pending).toBe(0);
      // the outage outlasted the ack wait: messages were delivered more than once, yet…
      expect(info.delivered.consumer_seq).toBeGreaterThan(total);
      await sleep(1500);
      expect(await count(es, alias)).toBe(total);
      expect(await idCensus(es, alias)).toEqual({ distinct: total, doubled: [] });
      expect(await count(es, `${l.prefix}-deadletter`)).toBe(0);
      await shutdown.run('test end');
    },
    (downS + 150) * 1000,
  );

  it('ingest killed -9 while Elasticsearch holds a written bulk unanswered, restarted as two processes: exactly N documents', async () => {
    nc ??= await connect({ servers: stackUrls!.natsUrl });
    const l = lane('fault-kill');
    lanes.push(l);
    await createLaneStream(nc, l);
    const proxy = TcpProxy.forUrl(stackUrls!.elasticsearchUrl);
    proxies.push(proxy);
    await proxy.up();
    const N = 20_000;
    const line = (s: number) =>
      `Mar 11 10:00:00 web01 sshd[1]: Failed password for root from 203.0.113.${s % 250} port ${1024 + (s % 60000)} ssh2`;
    const js = jetstream(nc);
    await publishLines(js, l, 'killme', 1, 1000, line);
    const config = laneConfig(l, {
      ackWaitS: ACK_WAIT_S,
      batch: { flushMs: 200, maxDocs: 1000, concurrency: 1 },
    });
    const first = new IngestProcess(stackUrls!.natsUrl, proxy.url, config);
    children.push(first);
    const alias = `${l.prefix}-events`;
    expect(await waitForCount(es, alias, 1000, 60_000), first.output).toBe(1000);
    await consumerSettled(nc, l, 10_000);
    // Hold the answers: the next bulk is written by Elasticsearch, its answer never arrives.
    proxy.hold();
    await publishLines(js, l, 'killme', 1001, N, line);
    const deadline = Date.now() + 20_000;
    while (proxy.heldCount === 0 && Date.now() < deadline) await sleep(20);
    expect(proxy.heldCount).toBeGreaterThan(0);
    await sleep(300);
    await first.kill9();
    await proxy.down();
    const jsm = await jetstreamManager(nc);
    const atKill = await jsm.consumers.info(l.stream, l.consumer);
    const acked = N - atKill.num_pending - atKill.num_ack_pending;
    const indexed = await count(es, alias);
    // documents Elasticsearch has whose messages were never acknowledged: the dangerous window
    expect(indexed).toBeGreaterThan(acked);
    expect(indexed).toBeLessThan(N);
    await proxy.up();
    const a = new IngestProcess(stackUrls!.natsUrl, proxy.url, config);
    const b = new IngestProcess(stackUrls!.natsUrl, proxy.url, config);
    children.push(a, b);
    expect(await waitForCount(es, alias, N, 120_000), a.output + b.output).toBe(N);
    const info = await consumerSettled(nc, l, 30_000);
    expect(info.num_pending + info.num_ack_pending).toBe(0);
    await sleep(1500);
    expect(await count(es, alias)).toBe(N);
    expect(await idCensus(es, alias)).toEqual({ distinct: N, doubled: [] });
    await a.stop();
    await b.stop();
  }, 240_000);
});

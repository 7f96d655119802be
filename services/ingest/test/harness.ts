import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { buildMessage } from '@soc/agent-shared';
import {
  createLogger,
  createMetricsRegistry,
  ensureStream,
  type JetStreamClient,
  jetstream,
  jetstreamManager,
  Shutdown,
} from '@soc/core';
import { uniqueName } from '@soc/test-support';
import { ServiceProcess } from '@soc/test-support/service-process';
import { ingestSchema } from '../src/config.ts';
import type { Ingestor } from '../src/ingestor.ts';
import { startIngest } from '../src/service.ts';

export const ROOT = resolve(import.meta.dirname, '../../..');

/** A stream, consumer and index prefix of this test alone. */
export interface Lane {
  stream: string;
  subjectPrefix: string;
  consumer: string;
  prefix: string;
}

export function lane(tag: string): Lane {
  const id = uniqueName(tag)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  return {
    stream: `IT_${id.replace(/-/g, '_').toUpperCase()}`,
    subjectPrefix: `it-${id}`,
    consumer: 'ingest',
    prefix: `it-${id}`,
  };
}

export async function createLaneStream(nc: NatsConnection, l: Lane): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, {
    name: l.stream,
    subjects: [`${l.subjectPrefix}.>`],
    duplicate_window: 10 * 60 * 1_000_000_000,
  });
}

export async function deleteLane(nc: NatsConnection, es: Client, l: Lane): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(l.stream).catch(() => undefined);
  await deletePrefix(es, l.prefix);
}

/** Indices and templates of a prefix (by name: the cluster refuses wildcard deletes). */
export async function deletePrefix(es: Client, prefix: string): Promise<void> {
  const indices = await es.indices
    .get({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true })
    .catch(() => ({}));
  for (const index of Object.keys(indices))
    await es.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
  await es.indices.deleteIndexTemplate({ name: `${prefix}-*` }).catch(() => undefined);
  await es.cluster.deleteComponentTemplate({ name: `${prefix}-*` }).catch(() => undefined);
}

/** The ingest keys for a lane (a test overrides what it needs). */
export function laneConfig(l: Lane, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    stream: l.stream,
    consumer: l.consumer,
    filterSubject: `${l.subjectPrefix}.>`,
    ensureStream: false,
    indices: { prefix: l.prefix, refreshInterval: '1s' },
    retention: { intervalS: 0 },
    batch: { flushMs: 100 },
    ...extra,
  };
}

/** An ingest running in this process (for tests that do not kill it). */
export async function startInProcess(
  nc: NatsConnection,
  esUrl: string,
  config: Record<string, unknown>,
): Promise<{ ingestor: Ingestor; shutdown: Shutdown; es: Client }> {
  const logger = createLogger({ service: 'ingest-test', level: 'warn', pretty: false });
  const shutdown = new Shutdown(logger, 10_000);
  const es = new Client({ node: esUrl, requestTimeout: 30_000, maxRetries: 0 });
  shutdown.add('es', () => es.close());
  const ingestor = await startIngest({
    config: { ingest: ingestSchema.parse(config), shutdown: { timeoutMs: 10_000 } },
    logger,
    metrics: createMetricsRegistry('ingest-test'),
    shutdown,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    es,
  });
  return { ingestor, shutdown, es };
}

/** An ingest as its own process (`node --import tsx src/main.ts`), for kill -9. */
export class IngestProcess extends ServiceProcess {
  constructor(natsUrl: string, esUrl: string, config: Record<string, unknown>) {
    super('ingest', { natsUrl, esUrl }, config);
  }
}

/** Publishes agent messages `agent:1 … agent:n` (as an agent does: Nats-Msg-Id = message id). */
export async function publishLines(
  js: JetStreamClient,
  l: Lane,
  agent: string,
  from: number,
  to: number,
  line: (seq: number) => string,
  options: { msgId?: boolean } = {},
): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let seq = from; seq <= to; seq++) {
    const m = buildMessage(agent, 'host-1', 'app', seq, {
      line: line(seq),
      source: { path: '/var/log/app.log', offset: seq },
    });
    const h = headers();
    if (options.msgId !== false) h.set('Nats-Msg-Id', m.id);
    pending.push(js.publish(`${l.subjectPrefix}.${agent}.app`, JSON.stringify(m), { headers: h }));
    if (pending.length >= 500) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}

export async function count(es: Client, index: string, query?: Record<string, unknown>): Promise<number> {
  await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const r = await es.count({ index, ignore_unavailable: true, allow_no_indices: true, query });
  return r.count;
}

/** Waits until `index` holds `n` documents (or the time is up); returns the last count. */
export async function waitForCount(es: Client, index: string, n: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let c = -1;
  while (Date.now() < deadline) {
    c = await count(es, index).catch(() => -1);
    if (c >= n) return c;
    await sleep(250);
  }
  return c;
}

/**
 * Exactly how many distinct `event.id` values `index` holds, and which appear more than once
 * (paged composite aggregation: exact, unlike cardinality's estimate).
 */
export async function idCensus(es: Client, index: string): Promise<{ distinct: number; doubled: string[] }> {
  let after: Record<string, unknown> | undefined;
  let distinct = 0;
  const doubled: string[] = [];
  for (;;) {
    const r = await es.search({
      index,
      size: 0,
      aggs: {
        ids: { composite: { size: 10_000, sources: [{ id: { terms: { field: 'event.id' } } }], after } },
      },
    });
    const agg = r.aggregations!.ids as {
      buckets: { key: { id: string }; doc_count: number }[];
      after_key?: Record<string, unknown>;
    };
    distinct += agg.buckets.length;
    for (const b of agg.buckets) if (b.doc_count > 1) doubled.push(b.key.id);
    if (agg.buckets.length < 10_000 || !agg.after_key) break;
    after = agg.after_key;
  }
  return { distinct, doubled };
}

export { sleep };

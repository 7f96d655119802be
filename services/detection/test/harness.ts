import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  type Alert,
  createLogger,
  createMetricsRegistry,
  ensureStream,
  jetstream,
  jetstreamManager,
  Shutdown,
  socIndices,
  TELEMETRY_STREAM,
} from '@soc/core';
import { uniqueName } from '@soc/test-support';
import { ServiceProcess } from '@soc/test-support/service-process';
import { detectionSchema } from '../src/config.ts';
import { type RunningDetection, startDetection } from '../src/service.ts';

/** Names of one test alone: its agent ids, consumer, correlation stream, KV bucket, indices. */
export interface Lane {
  id: string;
  agent: string;
  prefix: string;
  config: Record<string, unknown>;
}

export function lane(tag: string, extra: Record<string, unknown> = {}): Lane {
  const id = uniqueName(tag)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  const up = id.replace(/-/g, '_').toUpperCase();
  return {
    id,
    agent: `${id}-a`,
    prefix: `it-${id}`,
    config: {
      stream: TELEMETRY_STREAM.name,
      consumer: `det-${id}`,
      filterSubject: `telemetry.${id}-a.>`,
      ensureStreams: false,
      ackWaitS: 5,
      batch: { flushMs: 20 },
      rules: { reloadS: 3600 },
      correlation: { stream: `DET_${up}`, subjectPrefix: `it-${id}.corr`, bucket: `det-${id}` },
      alerts: { subjectPrefix: `it-${id}.alerts`, stream: `DETA_${up}` },
      indices: { prefix: `it-${id}` },
      ...extra,
    },
  };
}

/** The streams a lane publishes to (TELEMETRY is shared and only ensured). */
export async function createLane(nc: NatsConnection, l: Lane): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, TELEMETRY_STREAM);
  const c = l.config as { alerts: { stream: string; subjectPrefix: string } };
  await ensureStream(jsm, {
    name: c.alerts.stream,
    subjects: [`${c.alerts.subjectPrefix}.>`],
    duplicate_window: 10 * 60 * 1_000_000_000,
  });
}

export async function deleteLane(nc: NatsConnection, es: Client, l: Lane): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const c = l.config as {
    consumer: string;
    alerts: { stream: string };
    correlation: { stream: string; bucket: string };
  };
  await jsm.consumers.delete(TELEMETRY_STREAM.name, c.consumer).catch(() => undefined);
  await jsm.streams.delete(c.alerts.stream).catch(() => undefined);
  await jsm.streams.delete(c.correlation.stream).catch(() => undefined);
  await jsm.streams.delete(`KV_${c.correlation.bucket}`).catch(() => undefined);
  await deleteIndices(es, l.prefix);
}

/** Deletes `<prefix>-*` by name: Elasticsearch 8 refuses wildcard deletes (destructive_requires_name). */
export async function deleteIndices(es: Client, prefix: string): Promise<void> {
  const rows = await es.cat.indices({ index: `${prefix}-*`, format: 'json', h: 'index' });
  const names = (rows as { index?: string }[]).map((r) => r.index).filter((n): n is string => !!n);
  if (names.length) await es.indices.delete({ index: names.join(',') });
}

export async function startInProcess(
  nc: NatsConnection,
  esUrl: string,
  config: Record<string, unknown>,
): Promise<{ det: RunningDetection; shutdown: Shutdown; es: Client }> {
  const logger = createLogger({ service: 'detection-test', level: 'warn', pretty: false });
  const shutdown = new Shutdown(logger, 10_000);
  const es = new Client({ node: esUrl, requestTimeout: 30_000, maxRetries: 0 });
  shutdown.add('es', () => es.close());
  const det = await startDetection({
    config: { detection: detectionSchema.parse(config) },
    logger,
    metrics: createMetricsRegistry('detection-test'),
    shutdown,
    nc,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    es,
  });
  return { det, shutdown, es };
}

/** A detection as its own process, for kill -9. */
export class DetectionProcess extends ServiceProcess {
  constructor(natsUrl: string, esUrl: string, config: Record<string, unknown>) {
    // profiling a run: DETECTION_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR'
    const nodeArgs = process.env.DETECTION_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    super('detection', { natsUrl, esUrl }, config, nodeArgs);
  }
}

export async function alerts(es: Client, prefix: string): Promise<Alert[]> {
  const index = socIndices(prefix).alerts;
  if (!(await es.indices.exists({ index }))) return [];
  await es.indices.refresh({ index });
  const r = await es.search<Alert>({ index, size: 1000, query: { match_all: {} } });
  return r.hits.hits.map((h) => h._source!);
}

/** Polls until `done` holds for the alerts (or the deadline), and returns the last read. */
export async function waitForAlerts(
  es: Client,
  prefix: string,
  done: (a: Alert[]) => boolean,
  timeoutMs = 60_000,
): Promise<Alert[]> {
  const end = Date.now() + timeoutMs;
  let last: Alert[] = [];
  while (Date.now() < end) {
    last = await alerts(es, prefix);
    if (done(last)) return last;
    await sleep(250);
  }
  return last;
}

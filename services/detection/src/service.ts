import type { Client } from '@elastic/elasticsearch';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  ALERTS_STREAM,
  ensureDurable,
  ensureStream,
  type Logger,
  type Registry,
  type Shutdown,
  socIndices,
  TELEMETRY_STREAM,
  waitForElasticsearch,
} from '@soc/core';
import { AssetSource, names } from '@soc/ingest';
import { BatchConsumer } from './batches.ts';
import type { DetectionConfig } from './config.ts';
import { Correlator } from './correlator.ts';
import { Detector } from './detector.ts';
import { IntelSource } from './intel/source.ts';
import { detectionMetrics } from './metrics.ts';
import { RuleSource } from './rule-source.ts';
import { pipelineFor } from './ruleset.ts';
import { AlertStore, ensureAlertIndices } from './store.ts';

export interface DetectionContext {
  config: { detection: DetectionConfig };
  logger: Logger;
  metrics: Registry;
  shutdown: Shutdown;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  es: Client;
}

export interface RunningDetection {
  detector: Detector;
  correlators: Correlator[];
  rules: RuleSource;
  /** Checks the rule sources now (tests; otherwise every `rules.reloadS`). */
  reload(): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startDetection(ctx: DetectionContext): Promise<RunningDetection> {
  const c = ctx.config.detection;
  const { js, jsm, es, logger } = ctx;
  const metrics = detectionMetrics(ctx.metrics);
  await waitForElasticsearch(es, 120_000);
  const ix = socIndices(c.indices.prefix);
  await ensureAlertIndices(es, ix);

  if (c.ensureStreams) {
    if (c.stream === TELEMETRY_STREAM.name) await ensureStream(jsm, TELEMETRY_STREAM);
    if (c.alerts.stream === ALERTS_STREAM.name) await ensureStream(jsm, ALERTS_STREAM);
  }
  await ensureStream(jsm, {
    name: c.correlation.stream,
    subjects: [`${c.correlation.subjectPrefix}.>`],
    // as long as the telemetry duplicate window: a redelivered batch routes the same matches
    duplicate_window: 10 * 60 * 1_000_000_000,
    max_age: 24 * 3600 * 1_000_000_000,
  });
  const kv = await new Kvm(ctx.nc).create(c.correlation.bucket, { history: 1 });

  const assets = new AssetSource(es, c.indices.assets ?? names(c.indices.prefix).assets, logger);
  await assets.load();
  assets.start(c.assetsRefreshS);

  const pipeline = pipelineFor(c.rules.pipeline);
  const source = new RuleSource(es, ix.rules, c.rules.paths, pipeline, logger);
  const first = (await source.poll(true))!;
  metrics.rules.set({ kind: 'rule' }, first.rules.length);
  metrics.rules.set({ kind: 'correlation' }, first.correlations.length);
  const intelSource = new IntelSource(c.intel.paths, logger);
  let intel = intelSource.load(true);
  const store = new AlertStore(es, ix, c.maxEventIds, c.alerts.refresh);
  const common = { js, store, logger, metrics };

  const detector = new Detector(first, {
    ...common,
    registry: () => assets.registry,
    intel: () => intel,
    normalize: {
      timeZone: c.timeZone,
      parsers: c.parsers,
      maxMessageBytes: c.maxMessageBytes,
      // No rule sees event.original (not indexed; the ecs pipeline's keywordExclude), and
      // alerts copy parsed fields only: serialising the raw event again is wasted work here.
      keepOriginal: false,
    },
    windowMs: c.groupWindowS * 1000,
    alertPrefix: c.alerts.subjectPrefix,
    corrPrefix: c.correlation.subjectPrefix,
    partitions: c.correlation.partitions,
  });

  const owned = c.correlation.owned ?? [...Array(c.correlation.partitions).keys()];
  const correlators = owned
    .filter((p) => p < c.correlation.partitions)
    .map(
      (p) =>
        new Correlator(p, first, {
          ...common,
          jsm,
          kv,
          stream: c.correlation.stream,
          subjectPrefix: c.correlation.subjectPrefix,
          alertPrefix: c.alerts.subjectPrefix,
          durablePrefix: c.consumer,
          ackWaitS: c.ackWaitS,
          batch: { prefetch: c.prefetch, maxEvents: c.batch.maxEvents, flushMs: c.batch.flushMs },
        }),
    );
  for (const cor of correlators) await cor.start();

  await ensureDurable(jsm, c.stream, {
    durable_name: c.consumer,
    filter_subject: c.filterSubject,
    ack_wait: c.ackWaitS * 1_000_000_000,
    max_ack_pending: c.maxAckPending,
    max_deliver: -1,
  });
  const consumer = new BatchConsumer(
    await js.consumers.get(c.stream, c.consumer),
    { prefetch: c.prefetch, maxEvents: c.batch.maxEvents, flushMs: c.batch.flushMs, name: c.consumer },
    (b) => detector.handle(b),
    logger,
  );
  await consumer.start();

  const reload = async (): Promise<boolean> => {
    // feeds: swapped whole (a Map lookup never sees half a feed); expiry pruned on each load
    intel = intelSource.load() ?? intel;
    if (intel?.prune()) logger.info('threat-intel: expired indicators dropped');
    const next = await source.poll();
    if (!next) return false;
    detector.reload(next);
    for (const cor of correlators) cor.reload(next);
    metrics.reloads.inc();
    metrics.rules.set({ kind: 'rule' }, next.rules.length);
    metrics.rules.set({ kind: 'correlation' }, next.correlations.length);
    return true;
  };
  const timer = setInterval(() => {
    reload().catch((err) =>
      logger.warn({ err: (err as Error).message }, 'rule reload failed; keeping the loaded rules'),
    );
  }, c.rules.reloadS * 1000);
  timer.unref();

  const stop = async () => {
    clearInterval(timer);
    assets.stop();
    await consumer.stop();
    await detector.drain();
    for (const cor of correlators) await cor.stop();
  };
  ctx.shutdown.add('detection', stop);
  logger.info({ stream: c.stream, consumer: c.consumer, partitions: owned }, 'detection consuming');
  return { detector, correlators, rules: source, reload, stop };
}

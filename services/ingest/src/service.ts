import type { Client } from '@elastic/elasticsearch';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { type Logger, type Registry, type Shutdown, waitForElasticsearch } from '@soc/core';
import { AssetSource } from './assets.ts';
import type { IngestConfig } from './config.ts';
import { Ingestor } from './ingestor.ts';
import { ensureLayout, names } from './layout.ts';
import { ingestMetrics } from './metrics.ts';
import { runRetention } from './retention.ts';

export interface IngestContext {
  config: { ingest: IngestConfig; shutdown: { timeoutMs: number } };
  logger: Logger;
  metrics: Registry;
  shutdown: Shutdown;
  js: JetStreamClient;
  jsm: JetStreamManager;
  es: Client;
}

/** Layout, asset registry, retention job and the consumer pipeline, each stopped on shutdown. */
export async function startIngest(ctx: IngestContext): Promise<Ingestor> {
  const c = ctx.config.ingest;
  const metrics = ingestMetrics(ctx.metrics);
  await waitForElasticsearch(ctx.es, 120_000);
  const { ilm } = await ensureLayout(ctx.es, c);
  ctx.logger.info(
    { ilm, prefix: c.indices.prefix },
    ilm
      ? 'index templates ready; ILM deletes by retention period'
      : 'index templates ready; no ILM, the retention job deletes',
  );

  const assets = new AssetSource(ctx.es, names(c.indices.prefix).assets, ctx.logger, (n) =>
    metrics.assets.set(n),
  );
  // Enrichment needs the registry, but a registry that cannot be read must not stop ingest:
  // after a few tries it starts with what it has and the periodic refresh catches up.
  for (let attempt = 1; ; attempt++) {
    try {
      await assets.load();
      break;
    } catch (err) {
      if (attempt >= 5) {
        ctx.logger.warn(
          { err: (err as Error).message },
          'asset registry unreadable; starting with every asset unknown',
        );
        break;
      }
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
  assets.start(c.assets.refreshS);
  ctx.shutdown.add('assets', () => assets.stop());

  if (c.retention.intervalS > 0) {
    const run = () =>
      runRetention(ctx.es, c.indices.prefix, c.retention, ctx.logger)
        .then((deleted) => metrics.retentionDeleted.inc(deleted.length))
        .catch((err) =>
          ctx.logger.warn({ err: (err as Error).message }, 'retention job failed; next run will retry'),
        );
    void run();
    const timer = setInterval(run, c.retention.intervalS * 1000);
    timer.unref();
    ctx.shutdown.add('retention', () => clearInterval(timer));
  }

  const ingestor = new Ingestor({
    js: ctx.js,
    jsm: ctx.jsm,
    es: ctx.es,
    config: c,
    logger: ctx.logger,
    metrics,
    assets,
  });
  await ingestor.start();
  // Before NATS drains (registered after it, so it runs first).
  ctx.shutdown.add('ingest', () => ingestor.stop(Math.max(1000, ctx.config.shutdown.timeoutMs - 3000)));
  ctx.logger.info({ stream: c.stream, consumer: c.consumer }, 'ingest consuming');
  return ingestor;
}

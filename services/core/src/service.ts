import type { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import { type LoadConfigOptions, loadConfig } from './config/load.ts';
import type { BaseServiceConfig } from './config/schemas.ts';
import { createElasticsearchClient, type ElasticsearchClient } from './elasticsearch/client.ts';
import { exitWithSupervisor } from './lifecycle/orphan.ts';
import { Shutdown } from './lifecycle/shutdown.ts';
import { createLogger, type Logger } from './log/logger.ts';
import { redactUrl } from './log/redact.ts';
import { connectNats, type NatsConnection } from './nats/connect.ts';
import { createMetricsRegistry } from './ops/metrics.ts';
import { Readiness } from './ops/readiness.ts';
import { type OpsServer, startOpsServer } from './ops/server.ts';

export interface ServiceContext<C extends BaseServiceConfig> {
  name: string;
  config: C;
  logger: Logger;
  shutdown: Shutdown;
  metrics: Registry;
  readiness: Readiness;
  /** Connects once, adds a `/readyz` check and a drain-on-shutdown hook. */
  nats(): Promise<NatsConnection>;
  /** Creates the client once, adds a `/readyz` check and a close-on-shutdown hook. */
  elasticsearch(): ElasticsearchClient;
}

export interface ServiceDefinition<S extends z.ZodType<BaseServiceConfig>> {
  name: string;
  schema: S;
  config?: LoadConfigOptions;
  /** Sets the service up: connections, consumers, background loops. */
  start(ctx: ServiceContext<z.output<S>>): Promise<void>;
  /** Routes served beside the ops endpoints, built once `start` has finished. */
  routes?(ctx: ServiceContext<z.output<S>>): Hono;
}

export interface RunningService<C extends BaseServiceConfig> extends ServiceContext<C> {
  server: OpsServer;
}

/**
 * Boots a service the same way everywhere: validated config (every bad key listed at once),
 * a logger, ops endpoints, and signal-driven graceful shutdown in reverse start order.
 */
export async function runService<S extends z.ZodType<BaseServiceConfig>>(
  def: ServiceDefinition<S>,
): Promise<RunningService<z.output<S>>> {
  const { config, ignoredEnv } = loadConfig(def.schema, def.config);
  const logger = createLogger({ service: def.name, level: config.log.level, pretty: config.log.pretty });
  if (ignoredEnv.length) logger.debug({ ignoredEnv }, 'environment variables not used by this service');
  const shutdown = new Shutdown(logger, config.shutdown.timeoutMs);
  shutdown.installSignalHandlers();
  exitWithSupervisor(shutdown);
  const metrics = createMetricsRegistry(def.name);
  const readiness = new Readiness();

  let natsConnection: Promise<NatsConnection> | undefined;
  let esClient: ElasticsearchClient | undefined;
  const ctx: ServiceContext<z.output<S>> = {
    name: def.name,
    config,
    logger,
    shutdown,
    metrics,
    readiness,
    nats() {
      natsConnection ??= connectNats(config.nats, { name: def.name, logger }).then((nc) => {
        readiness.add('nats', async () => {
          if (nc.isClosed()) return { ok: false, detail: 'connection closed' };
          await nc.flush();
          return { ok: true, detail: nc.getServer() };
        });
        shutdown.add('nats', () => nc.drain());
        logger.info({ nats: nc.getServer() }, 'connected to NATS');
        return nc;
      });
      return natsConnection;
    },
    elasticsearch() {
      if (!esClient) {
        const client = createElasticsearchClient(config.elasticsearch);
        readiness.add('elasticsearch', async () => {
          const health = await client.cluster.health({ timeout: '1s' });
          return {
            ok: health.status !== 'red',
            detail: `${redactUrl(config.elasticsearch.url)} ${health.status}`,
          };
        });
        shutdown.add('elasticsearch', () => client.close());
        esClient = client;
      }
      return esClient;
    },
  };

  await def.start(ctx);
  let live = true;
  const server = await startOpsServer({
    host: config.http.host,
    port: config.http.port,
    metrics,
    readiness,
    isLive: () => live,
    routes: def.routes?.(ctx),
  });
  // Registered last so it runs first: stop taking requests before dependencies go away.
  shutdown.add('http', async () => {
    live = false;
    await server.close();
  });
  logger.info({ url: server.url }, 'service listening');
  return { ...ctx, server };
}

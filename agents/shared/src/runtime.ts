import { hostname } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { DiskBuffer } from './buffer/disk-buffer.ts';
import type { AgentBaseConfig } from './config.ts';
import { startHeartbeat } from './heartbeat.ts';
import { connectUntil } from './output/connect.ts';
import { Output } from './output/output.ts';
import { Publisher } from './output/publisher.ts';
import { InputCounters } from './output/stats.ts';
import { heartbeatSubject } from './subjects.ts';

export interface AgentRuntime {
  output: Output;
  buffer: DiskBuffer;
  counters: InputCounters;
  /** Resolves once connected to NATS (or never, if closed first). */
  connected: Promise<NatsConnection | undefined>;
  /** Flushes readers' events to the buffer, publishes for up to `output.drainMs`, closes. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  version: string;
  logger: Logger;
  /** Input names for the heartbeat, including inputs that have read nothing yet. */
  inputs: () => string[];
}

/**
 * The part every agent shares: disk buffer, output, publisher and heartbeat, wired together.
 * Readers write to `output`; everything else runs by itself until `close()`.
 */
export async function startRuntime(config: AgentBaseConfig, opts: RuntimeOptions): Promise<AgentRuntime> {
  const { logger } = opts;
  const agentId = config.agent.id;
  const hostName = hostname();
  const counters = new InputCounters();
  const buffer = await DiskBuffer.open({
    dir: join(config.agent.dataDir, 'buffer'),
    ...config.buffer,
    onDrop: (lost) =>
      logger.warn(
        { dropped: Object.fromEntries(lost) },
        'disk buffer full: dropped the oldest events that were never sent',
      ),
    onCorrupt: (file, offset, reason) =>
      logger.warn({ file, offset, reason }, 'disk buffer: cut a damaged record'),
  });
  const output = new Output({ agentId, hostName, buffer, counters, ...config.output });
  const abort = new AbortController();
  let nc: NatsConnection | undefined;
  let publisher: Publisher | undefined;
  let stopHeartbeat: (() => void) | undefined;
  const startedAt = new Date();

  const connected = connectUntil(config.nats, agentId, logger, abort.signal).then((conn) => {
    if (!conn) return undefined;
    nc = conn;
    publisher = new Publisher({ agentId, buffer, js: jetstream(conn), counters, logger, ...config.output });
    publisher.start();
    stopHeartbeat = startHeartbeat(
      {
        agentId,
        version: opts.version,
        hostName,
        startedAt,
        inputs: opts.inputs,
        counters,
        buffer,
        maxBytes: config.buffer.maxBytes,
        lagMs: () => publisher?.lagMs() ?? 0,
        connected: () => !!publisher?.healthy && !conn.isClosed(),
      },
      heartbeatSubject(agentId),
      config.heartbeat.intervalS * 1000,
      () => nc,
    );
    return conn;
  });

  return {
    output,
    buffer,
    counters,
    connected,
    async close() {
      abort.abort();
      await output.flush().catch(() => undefined);
      const deadline = Date.now() + config.output.drainMs;
      while (publisher?.healthy && buffer.pending.size && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      stopHeartbeat?.();
      await publisher?.stop();
      await buffer.close();
      await nc?.drain().catch(() => nc?.close());
    },
  };
}

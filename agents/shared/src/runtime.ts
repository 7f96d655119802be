import { hostname } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { DiskBuffer } from './buffer/disk-buffer.ts';
import type { AgentBaseConfig } from './config.ts';
import { type InputCondition, startHeartbeat } from './heartbeat.ts';
import { connectUntil } from './output/connect.ts';
import { Output } from './output/output.ts';
import { Publisher } from './output/publisher.ts';
import { InputCounters } from './output/stats.ts';
import { heartbeatSubject } from './subjects.ts';

/** How often inputs' states are compared with the last ones heard, for an early heartbeat. */
const STATE_CHECK_MS = 1000;

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
  /** Counters inputs keep beyond read/sent, for the heartbeat (by input name). */
  inputStats?: () => Record<string, Record<string, number>>;
  /** Whether each input runs, or why not, for the heartbeat (by input name). */
  inputStates?: () => Record<string, InputCondition>;
}

/**
 * The part every agent shares: disk buffer, output, publisher and heartbeat, wired together.
 * Readers write to `output`; everything else runs by itself until `close()`.
 */
export async function startRuntime(config: AgentBaseConfig, opts: RuntimeOptions): Promise<AgentRuntime> {
  const { logger } = opts;
  const agentId = config.agent.id;
  const hostName = config.agent.hostName ?? hostname();
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
  const startedAt = new Date();

  const publisher = new Publisher({ agentId, buffer, counters, logger, ...config.output });
  publisher.start();
  let resolveConnected: (nc: NatsConnection | undefined) => void = () => {};
  const connected = new Promise<NatsConnection | undefined>((r) => {
    resolveConnected = r;
  });

  // Set below, once the heartbeat runs; a connection made before that has nothing to beat.
  let beatNow = () => {};
  // One connection at a time; when it is lost, a fresh one (see connectUntil for why).
  const maintain = (async () => {
    while (!abort.signal.aborted) {
      const conn = await connectUntil(config.nats, agentId, logger, abort.signal);
      if (!conn) break;
      nc = conn;
      publisher.setConnection(conn);
      resolveConnected(conn);
      // At once, not an interval later: the API shows a started (or reconnected) agent online.
      beatNow();
      const err = await conn.closed();
      nc = undefined;
      publisher.setConnection(undefined);
      if (!abort.signal.aborted)
        logger.warn(
          { err: err ? { message: err.message } : undefined },
          'NATS connection lost; reconnecting',
        );
    }
    resolveConnected(undefined);
  })();

  const heartbeat = startHeartbeat(
    {
      agentId,
      version: opts.version,
      hostName,
      startedAt,
      inputs: opts.inputs,
      inputStats: opts.inputStats,
      inputStates: opts.inputStates,
      counters,
      buffer,
      maxBytes: config.buffer.maxBytes,
      lagMs: () => publisher.lagMs(),
      connected: () => !!nc && publisher.healthy,
    },
    heartbeatSubject(agentId),
    config.heartbeat.intervalS * 1000,
    () => nc,
  );
  beatNow = heartbeat.beat;
  // An input that changes state (a journald input finding no journal) is said at once, not
  // a heartbeat interval later: the console would show "running, nothing read" meanwhile.
  let states = JSON.stringify(opts.inputStates?.() ?? {});
  const watchStates = setInterval(() => {
    const now = JSON.stringify(opts.inputStates?.() ?? {});
    if (now === states) return;
    states = now;
    beatNow();
  }, STATE_CHECK_MS);
  watchStates.unref();

  return {
    output,
    buffer,
    counters,
    connected,
    async close() {
      await output.flush().catch(() => undefined);
      const deadline = Date.now() + config.output.drainMs;
      while (nc && publisher.healthy && buffer.pending.size && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      abort.abort();
      clearInterval(watchStates);
      heartbeat.stop();
      await publisher.stop();
      await buffer.close();
      await nc?.drain().catch(() => nc?.close());
      await maintain;
    },
  };
}

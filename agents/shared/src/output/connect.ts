import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import type { NatsConfig } from '@soc/core/config/schemas';
import type { Logger } from 'pino';
import { inboxPrefix } from '../subjects.ts';

/**
 * Connects, retrying until it succeeds or `signal` aborts: an agent starts and buffers to disk
 * even when NATS is unreachable.
 *
 * The connection does not reconnect by itself (maxReconnectAttempts 0): the client would
 * flush, on reconnect, publishes it queued while disconnected, after messages lost with the
 * old socket; their retry would then land behind them, out of order. Instead the caller makes
 * a fresh connection and the publisher resends, in order, from the first unacknowledged event.
 */
export async function connectUntil(
  config: NatsConfig,
  agentId: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<NatsConnection | undefined> {
  let warned = false;
  while (!signal.aborted) {
    try {
      const nc = await connect({
        servers: config.url.split(',').map((s) => s.trim()),
        name: `soc-agent-${agentId}`,
        user: config.user,
        pass: config.password,
        token: config.token,
        authenticator: config.credsFile ? credsAuthenticator(readFileSync(config.credsFile)) : undefined,
        inboxPrefix: inboxPrefix(agentId),
        maxReconnectAttempts: 0,
        timeout: 5000,
        // Notice a silently dead peer (no RST, e.g. a network partition) within ~15 s.
        pingInterval: 5000,
        maxPingOut: 3,
        // The client otherwise builds an Error (a stack trace) for every request, i.e. every
        // publish: the largest CPU cost of the agent at 1,000 events/s.
        noAsyncTraces: true,
      });
      logger.info({ server: nc.getServer() }, 'connected to NATS');
      return nc;
    } catch (err) {
      if (!warned)
        logger.warn({ err: { message: (err as Error).message } }, 'NATS unreachable; buffering to disk');
      warned = true;
      await sleep(1000, undefined, { signal }).catch(() => {});
    }
  }
  return undefined;
}

import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import type { NatsConfig } from '@soc/core/config/schemas';
import type { Logger } from 'pino';
import { inboxPrefix } from '../subjects.ts';

/**
 * Connects, retrying until it succeeds or `signal` aborts: an agent starts and buffers to disk
 * even when NATS is unreachable. Once connected the client reconnects forever by itself.
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
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
        timeout: 5000,
      });
      logger.info({ server: nc.getServer() }, 'connected to NATS');
      void (async () => {
        for await (const s of nc.status()) {
          if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error')
            logger.warn({ nats: { status: s.type } }, `nats ${s.type}`);
        }
      })();
      return nc;
    } catch (err) {
      if (!warned)
        logger.warn({ err: { message: (err as Error).message } }, 'NATS unreachable; buffering to disk');
      warned = true;
      await sleep(2000, undefined, { signal }).catch(() => {});
    }
  }
  return undefined;
}

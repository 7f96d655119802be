import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import type { NatsConfig } from '../config/schemas.ts';
import type { Logger } from '../log/logger.ts';

export type { NatsConnection } from '@nats-io/transport-node';

export interface ConnectNatsOptions {
  name: string;
  logger?: Logger;
  /** How long the first connection may take before giving up (later drops reconnect forever). */
  timeoutMs?: number;
}

/**
 * Connects with reconnect-forever semantics: a NATS restart must never end a service, only
 * pause it. Status changes are logged so an operator sees the outage and the recovery.
 */
export async function connectNats(config: NatsConfig, options: ConnectNatsOptions): Promise<NatsConnection> {
  const nc = await connect({
    servers: config.url.split(',').map((s) => s.trim()),
    name: options.name,
    user: config.user,
    pass: config.password,
    token: config.token,
    authenticator: config.credsFile ? credsAuthenticator(readFileSync(config.credsFile)) : undefined,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    timeout: options.timeoutMs ?? 10_000,
  });
  const log = options.logger;
  if (log) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error' || s.type === 'ldm') {
          log.warn(
            { nats: { status: s.type, server: 'server' in s ? s.server : undefined } },
            `nats ${s.type}`,
          );
        }
      }
    })();
  }
  return nc;
}

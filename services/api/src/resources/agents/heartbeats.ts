import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@soc/core';
import type { Client } from '../../store/es.ts';
import { getDoc } from '../../store/es.ts';
import type { AgentDoc } from './model.ts';

/**
 * Follows `agent.*.heartbeat` (agents/shared/src/subjects.ts) and records each enrolled
 * agent's last beat. A queue group, so with several API instances each beat is handled once;
 * writes are thinned to one per agent per `minWriteMs` — status needs the time, not every beat.
 * Beats of unknown or revoked agents are ignored: enrollment, not a heartbeat, creates an agent.
 */
export function followHeartbeats(
  nc: NatsConnection,
  es: Client,
  index: string,
  logger: Logger,
  opts: { minWriteMs?: number; now?: () => Date } = {},
): { stop(): void; done: Promise<void> } {
  const minWriteMs = opts.minWriteMs ?? 10_000;
  const now = opts.now ?? (() => new Date());
  const lastWrite = new Map<string, number>();
  const sub = nc.subscribe('agent.*.heartbeat', { queue: 'soc-api-heartbeats' });
  const done = (async () => {
    for await (const m of sub) {
      const id = m.subject.split('.')[1]!;
      const t = now().getTime();
      if (t - (lastWrite.get(id) ?? 0) < minWriteMs) continue;
      lastWrite.set(id, t);
      try {
        const body = m.json<Record<string, unknown>>();
        const agent = await getDoc<AgentDoc>(es, index, id);
        if (!agent || agent.revoked_at) continue;
        await es.update({
          index,
          id,
          doc: {
            last_seen: now().toISOString(),
            last_heartbeat: body,
            ...(typeof body.version === 'string' ? { version: body.version } : {}),
          },
        });
      } catch (err) {
        logger.warn({ err, agent: id }, 'heartbeat not recorded');
      }
    }
  })();
  return { stop: () => sub.unsubscribe(), done };
}

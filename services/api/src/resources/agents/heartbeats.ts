import type { NatsConnection } from '@nats-io/transport-node';
import { heartbeatSchema } from '@soc/agent-shared';
import type { Logger } from '@soc/core';
import type { Client } from '../../store/es.ts';
import { getVersioned, isConflict } from '../../store/es.ts';
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
      try {
        // Checked before it counts: what an agent publishes is stored and shown to analysts.
        const parsed = heartbeatSchema.safeParse(m.json());
        // The subject is the agent's own (its NATS permissions); a body naming another is a bug.
        if (!parsed.success || parsed.data.agent !== id) {
          logger.warn(
            { agent: id, issues: parsed.error?.issues.slice(0, 3) ?? `names agent ${parsed.data?.agent}` },
            'heartbeat ignored: not a heartbeat',
          );
          continue;
        }
        lastWrite.set(id, t);
        const body = parsed.data;
        const found = await getVersioned<AgentDoc>(es, index, id);
        if (!found || found.doc.revoked_at) continue;
        // The whole document, not a partial update: Elasticsearch merges a partial doc into
        // the stored one key by key, so an input's old `reason` (disabled before, running
        // now) or an input since removed would stay in the last heartbeat for good. The
        // concurrency check keeps a revocation written meanwhile.
        await es.index({
          index,
          id,
          document: {
            ...found.doc,
            last_seen: now().toISOString(),
            last_heartbeat: body,
            ...(typeof body.version === 'string' ? { version: body.version } : {}),
          },
          if_seq_no: found.seqNo,
          if_primary_term: found.primaryTerm,
        });
      } catch (err) {
        // Another write won (a revocation, another instance): the next beat comes soon.
        if (isConflict(err)) continue;
        logger.warn({ err, agent: id }, 'heartbeat not recorded');
      }
    }
  })();
  return { stop: () => sub.unsubscribe(), done };
}

import type { JetStreamClient } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import type { Alert } from '@soc/core';
import { z } from 'zod';

/** A subject token from free text: NATS tokens cannot hold `.`, `*`, `>` or white space. */
export function token(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128) || '_';
}

export const RETRO_HEADER = 'Soc-Retro';

/**
 * Alerts on NATS: `<prefix>.<level>.<rule id>`, so a consumer can take only the critical ones.
 * The message id is `<alert id>:<count>`: a republish of the same state (a redelivered batch)
 * is dropped by the stream's duplicate window, a grown alert is a new message.
 * A retro-hunt's alerts carry the header `Soc-Retro: true` (besides `retro` in the alert, which
 * stays false on a live correlation alert a hunt grew), so a consumer can tell history from now.
 */
export async function publishAlerts(
  js: JetStreamClient,
  prefix: string,
  alerts: Alert[],
  opts: { retro?: boolean } = {},
): Promise<void> {
  await Promise.all(
    alerts.map((a) => {
      const h = headers();
      h.set('Nats-Msg-Id', `${a.id}:${a.count}`);
      if (opts.retro) h.set(RETRO_HEADER, 'true');
      return js.publish(`${prefix}.${a.rule.level}.${token(a.rule.id)}`, JSON.stringify(a), { headers: h });
    }),
  );
}

/** A base-rule match on its way to the partition that keeps its correlation windows. */
export const observationSchema = z.object({
  v: z.literal(1),
  family: z.string(),
  rule: z.string(),
  id: z.string(),
  time: z.number(),
  doc: z.record(z.string(), z.unknown()),
});
export type Observation = z.output<typeof observationSchema>;

export async function publishObservations(
  js: JetStreamClient,
  prefix: string,
  obs: { partition: number; o: Observation }[],
): Promise<void> {
  await Promise.all(
    obs.map(({ partition, o }) => {
      const h = headers();
      // a redelivered telemetry message routes the same observation again: de-duplicated
      h.set('Nats-Msg-Id', `${o.id}:${o.family}:${o.rule}`);
      return js.publish(`${prefix}.${partition}`, JSON.stringify(o), { headers: h });
    }),
  );
}

/**
 * `@soc/detection/retro`: what another service needs to run a retro-hunt the way detection
 * does — the hunt of a rule or of a correlation, the alert store that folds hits exactly as the
 * stream does, the rule's exceptions and key, the publication of alerts on NATS — without
 * loading the stream service (ingest, agents). The API's hunt jobs use it, so a hunt started
 * from the console and `soc rules hunt` raise the same alerts with the same ids.
 */

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ALERTS_STREAM, type Alert, ensureStream } from '@soc/core';
import { publishAlerts } from './publish.ts';

export { compileExceptions, type ExceptionMatcher } from './exceptions.ts';
export { RETRO_HEADER } from './publish.ts';
export { type RetroHuntOptions, type RetroHuntProgress, type RetroHuntResult, retroHunt } from './retro.ts';
export {
  type CorrelationHuntOptions,
  type CorrelationHuntPlan,
  type HuntPool,
  planCorrelationHunt,
  retroHuntCorrelation,
} from './retro-correlation.ts';
export { loadHuntPool } from './retro-resolve.ts';
export { ruleKey } from './ruleset.ts';
export { AlertStore, ensureAlertIndices } from './store.ts';

/**
 * A hunt's `publish`: its alerts on `<prefix>.<level>.<rule id>` as the stream publishes them
 * (`prefix` is detection's `alerts.subjectPrefix`), with the `Soc-Retro: true` header. When no
 * stream captures the subjects and the prefix is the default, the `ALERTS` stream is created,
 * so a hunt run before detection ever started does not fail; an existing stream is left as its
 * operator configured it (detection's `ensureStreams` is theirs to decide).
 */
export async function retroAlertPublisher(
  nc: NatsConnection,
  prefix = 'alerts',
): Promise<(alerts: Alert[]) => Promise<void>> {
  const jsm = await jetstreamManager(nc);
  const captured = await jsm.streams.find(`${prefix}.info.probe`).then(
    () => true,
    () => false,
  );
  if (!captured && prefix === 'alerts') await ensureStream(jsm, ALERTS_STREAM);
  const js = jetstream(nc);
  return (alerts) => publishAlerts(js, prefix, alerts, { retro: true });
}

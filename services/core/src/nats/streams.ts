import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { StreamSpec } from './jetstream.ts';

/**
 * The product's JetStream topology: the wire contract between agents, ingest, detection and
 * cases. Agents publish on `telemetry.<agentId>.<input>`, so a per-agent permission of
 * `telemetry.<agentId>.>` confines each agent to its own subjects.
 */
export const TELEMETRY_STREAM = {
  name: 'TELEMETRY',
  subjects: ['telemetry.>'],
  retention: RetentionPolicy.Limits,
  storage: StorageType.File,
  discard: DiscardPolicy.Old,
  // Long enough for an agent's disk-buffer replay after an outage to be de-duplicated.
  duplicate_window: 10 * 60 * 1_000_000_000,
  max_age: 7 * 24 * 3600 * 1_000_000_000,
} satisfies StreamSpec;

export const ALERTS_STREAM = {
  name: 'ALERTS',
  subjects: ['alerts.>'],
  retention: RetentionPolicy.Limits,
  storage: StorageType.File,
  discard: DiscardPolicy.Old,
  duplicate_window: 10 * 60 * 1_000_000_000,
  max_age: 30 * 24 * 3600 * 1_000_000_000,
} satisfies StreamSpec;

export function telemetrySubject(agentId: string, input: string): string {
  return `telemetry.${agentId}.${input}`;
}

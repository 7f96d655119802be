import { telemetrySubject } from '@soc/core/nats/streams';

export { TELEMETRY_STREAM, telemetrySubject } from '@soc/core/nats/streams';

/** Liveness and counters; core NATS (not stored): a lost heartbeat is replaced by the next. */
export function heartbeatSubject(agentId: string): string {
  return `agent.${agentId}.heartbeat`;
}

/**
 * The reply prefix for JetStream publish acks. Per agent, so its credentials can be allowed to
 * subscribe to its own acks only, never to another agent's.
 */
export function inboxPrefix(agentId: string): string {
  return `_INBOX_${agentId}`;
}

/**
 * The NATS permissions an agent's credentials carry (the enrollment service issues them):
 * publish only on its own subjects, receive only its own acks. The agent needs no JetStream
 * API access: streams are created by the services, never by agents.
 */
export function agentPermissions(agentId: string): { publish: string[]; subscribe: string[] } {
  return {
    publish: [telemetrySubject(agentId, '>'), `agent.${agentId}.>`],
    subscribe: [`${inboxPrefix(agentId)}.>`],
  };
}

import { type IssuedUser, issueUser } from '@soc/core/nats/credentials';
import { agentPermissions } from './subjects.ts';

/**
 * What issues agents' credentials: the SOC account's public key and one of its signing keys
 * (the API is given these, never the operator key).
 */
export interface AgentCredentialIssuer {
  account: string;
  signingSeed: string;
}

/**
 * An agent's NATS user: a JWT whose permissions are exactly agentPermissions(agentId) —
 * publish on its own telemetry and agent subjects, receive on its own inbox (the JetStream
 * publish acks come back there; see inboxPrefix) — and nothing of the JetStream API.
 * `ttlS` bounds the credentials' life; without it they last until revoked.
 */
export function issueAgentCredentials(
  issuer: AgentCredentialIssuer,
  agentId: string,
  opts: { ttlS?: number } = {},
): Promise<IssuedUser> {
  return issueUser({
    account: issuer.account,
    signingSeed: issuer.signingSeed,
    name: agentId,
    permissions: agentPermissions(agentId),
    ...(opts.ttlS ? { ttlS: opts.ttlS } : {}),
  });
}

import { z } from '@hono/zod-openapi';

export interface AgentDoc {
  id: string;
  hostname: string;
  organization: { id: string; name?: string };
  system_id?: string;
  version?: string;
  os?: string;
  enrolled_at: string;
  /** The enrollment token that admitted it. */
  enrolled_with: string;
  /** The public key of its NATS user (revocation names it); absent when NATS runs without authorization. */
  nats_user?: string;
  revoked_at?: string;
  last_seen?: string;
  /** The last heartbeat body as the agent sent it (see agents/shared/src/heartbeat.ts). */
  last_heartbeat?: Record<string, unknown>;
}

export interface EnrollmentTokenDoc {
  id: string;
  hash: string;
  organization: { id: string; name?: string };
  system_id?: string;
  uses_left: number;
  expires_at: string;
  created_by: string;
  created_at: string;
  revoked_at?: string;
}

export const AGENT_STATUSES = ['online', 'stale', 'offline', 'never_seen', 'revoked'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/**
 * From the last heartbeat: online within 3 intervals (one lost beat is not an outage),
 * stale up to 10 minutes, offline after.
 */
export function agentStatus(a: AgentDoc, now: number, heartbeatIntervalS: number): AgentStatus {
  if (a.revoked_at) return 'revoked';
  if (!a.last_seen) return 'never_seen';
  const age = now - Date.parse(a.last_seen);
  if (age <= 3 * heartbeatIntervalS * 1000) return 'online';
  if (age <= 10 * 60 * 1000) return 'stale';
  return 'offline';
}

export const agentSchema = z
  .object({
    id: z.string(),
    hostname: z.string(),
    organization: z.object({ id: z.string(), name: z.string().optional() }),
    system_id: z.string().optional(),
    version: z.string().optional(),
    os: z.string().optional(),
    enrolled_at: z.string(),
    revoked_at: z.string().optional(),
    last_seen: z.string().optional(),
    status: z.enum(AGENT_STATUSES),
    last_heartbeat: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('Agent');

export function agentView(a: AgentDoc, now: number, intervalS: number): z.infer<typeof agentSchema> {
  const { enrolled_with: _e, nats_user: _n, ...rest } = a;
  return { ...rest, status: agentStatus(a, now, intervalS) };
}

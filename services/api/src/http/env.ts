import type { Logger, SocIndices } from '@soc/core';
import type { AuditLog } from '../audit/chain.ts';
import type { RateLimiter } from '../auth/rate-limit.ts';
import type { TokenIssuer } from '../auth/tokens.ts';
import type { Principal } from '../rbac/principal.ts';
import type { AgentCredentials } from '../resources/agents/credentials.ts';
import type { HuntRunner } from '../resources/hunts/runner.ts';
import type { Client } from '../store/es.ts';
import type { CursorCodec } from './cursor.ts';

/** What the API needs from the outside, passed in so tests build it against their own indices. */
export interface ApiDeps {
  es: Client;
  indices: SocIndices;
  /** Index pattern of the events (ingest's). */
  eventsIndex: string;
  logger: Logger;
  tokens: TokenIssuer;
  cursors: CursorCodec;
  audit: AuditLog;
  loginLimiter: RateLimiter;
  /** Failed logins in a row that lock an account, and for how long. */
  lockout: { attempts: number; durationMs: number };
  /** Browser origins allowed by CORS; empty = CORS off. */
  corsOrigins: string[];
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy: boolean;
  /** Seconds between agent heartbeats: an agent is `online` within 3 of them. */
  heartbeatIntervalS: number;
  /** Issues (and revokes) agents' NATS credentials; absent when NATS runs without authorization. */
  agentCredentials?: AgentCredentials | undefined;
  /** Retro-hunt jobs running in this process (resources/hunts). */
  hunts: HuntRunner;
  now: () => Date;
  version: string;
}

/** What a request carries through the middleware chain. */
export interface AuditNote {
  target?: { type: string; id?: string };
  organization_id?: string;
  before?: unknown;
  after?: unknown;
  /** Who, when no principal authenticated (a login attempt names the account tried). */
  actor?: { kind: 'anonymous' | 'agent'; id: string; name?: string };
}

export interface Env {
  Variables: {
    deps: ApiDeps;
    principal: Principal | undefined;
    audit: AuditNote;
    requestId: string;
    clientIp: string;
  };
}

import { randomBytes } from 'node:crypto';
import {
  baseServiceSchema,
  DEFAULT_EVENTS_INDEX,
  DEFAULT_INDEX_PREFIX,
  flag,
  httpSchema,
  type Logger,
  socIndices,
} from '@soc/core';
import { z } from 'zod';
import { AuditLog } from './audit/chain.ts';
import { RateLimiter } from './auth/rate-limit.ts';
import { TokenIssuer } from './auth/tokens.ts';
import { CursorCodec } from './http/cursor.ts';
import type { ApiDeps } from './http/env.ts';
import { agentCredentialsFrom, enrollmentSchema } from './resources/agents/credentials.ts';
import { HuntRunner } from './resources/hunts/runner.ts';
import type { Client } from './store/es.ts';

const int = (min: number) => z.coerce.number().int().min(min);

/** `api.*` keys (README "Configuration reference"). */
export const apiSchema = z.object({
  indexPrefix: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/)
    .default(DEFAULT_INDEX_PREFIX),
  eventsIndex: z.string().default(DEFAULT_EVENTS_INDEX),
  /** Signs access tokens and cursors. Unset: a random one per start (tokens die with the process; one instance only). */
  secret: z.string().min(32).optional(),
  corsOrigins: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  bodyLimitBytes: int(1024).default(1024 * 1024),
  trustProxy: flag.default(false),
  loginAttemptsPerMinute: int(1).default(10),
  lockoutAttempts: int(1).default(5),
  lockoutMinutes: int(1).default(15),
  heartbeatIntervalS: int(1).default(30),
  /** Agents' NATS credentials (resources/agents/credentials.ts). */
  enrollment: enrollmentSchema.prefault({}),
  /** Retro-hunts run at once per API instance (each pages through history and writes alerts). */
  huntConcurrency: int(1).default(2),
  /** As detection's `rules.pipeline` and `groupWindowS`: a hunt from the API raises the alerts `soc rules hunt` would. */
  huntPipeline: z.string().default('ecs'),
  huntGroupWindowS: int(1).default(3600),
});
export type ApiConfig = z.output<typeof apiSchema>;

export const apiServiceSchema = baseServiceSchema.extend({
  http: httpSchema.extend({ port: httpSchema.shape.port.default(8080) }).prefault({}),
  api: apiSchema.prefault({}),
});

export function buildDeps(es: Client, config: ApiConfig, logger: Logger, version = '0.1.0'): ApiDeps {
  if (!config.secret)
    logger.warn(
      'api.secret is not set: tokens are signed with a per-process key (set SOC_API__SECRET for restarts and several instances)',
    );
  const secret = config.secret ?? randomBytes(32).toString('base64url');
  const indices = socIndices(config.indexPrefix);
  return {
    es,
    indices,
    eventsIndex: config.eventsIndex,
    logger,
    tokens: new TokenIssuer(secret),
    cursors: new CursorCodec(secret),
    audit: new AuditLog(es, indices.audit),
    loginLimiter: new RateLimiter(config.loginAttemptsPerMinute, 60_000),
    lockout: { attempts: config.lockoutAttempts, durationMs: config.lockoutMinutes * 60_000 },
    corsOrigins: config.corsOrigins,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    heartbeatIntervalS: config.heartbeatIntervalS,
    agentCredentials: agentCredentialsFrom(config.enrollment, logger),
    hunts: new HuntRunner({
      es,
      indices,
      eventsIndex: config.eventsIndex,
      logger,
      concurrency: config.huntConcurrency,
      pipeline: config.huntPipeline,
      windowMs: config.huntGroupWindowS * 1000,
      // detection's `maxEventIds` default: alerts grown by a hunt keep as many ids as the stream's
      maxEventIds: 100,
    }),
    now: () => new Date(),
    version,
  };
}

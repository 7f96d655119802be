import { z } from 'zod';

/** Booleans arrive from the environment as text; accept the spellings operators use. */
export const flag = z.union([
  z.boolean(),
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
    .transform((v) => v === 'true' || v === '1' || v === 'yes' || v === 'on'),
]);

export const port = z.coerce.number().int().min(0).max(65535);

export const logSchema = z.object({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  pretty: flag.default(false),
});

export const natsSchema = z.object({
  url: z.string().default('nats://127.0.0.1:4222'),
  user: z.string().optional(),
  password: z.string().optional(),
  token: z.string().optional(),
  /** A NATS credentials file (JWT + nkey seed), used by agents and services in production. */
  credsFile: z.string().optional(),
});

export const elasticsearchSchema = z.object({
  url: z.url().default('http://127.0.0.1:9200'),
  username: z.string().optional(),
  password: z.string().optional(),
  apiKey: z.string().optional(),
  caFile: z.string().optional(),
  requestTimeoutMs: z.coerce.number().int().positive().default(30_000),
  maxRetries: z.coerce.number().int().min(0).default(3),
});

/** Every service listens once: ops endpoints (`/healthz`, `/readyz`, `/metrics`) and, for the API, the API. */
export const httpSchema = z.object({
  host: z.string().default('127.0.0.1'),
  /** 0 picks a free port; each service sets its own default. */
  port: port.default(0),
});

export const shutdownSchema = z.object({
  timeoutMs: z.coerce.number().int().positive().default(15_000),
});

/** The configuration every service starts from; services extend it with their own keys. */
export const baseServiceSchema = z.object({
  log: logSchema.prefault({}),
  nats: natsSchema.prefault({}),
  elasticsearch: elasticsearchSchema.prefault({}),
  http: httpSchema.prefault({}),
  shutdown: shutdownSchema.prefault({}),
});

export type BaseServiceConfig = z.output<typeof baseServiceSchema>;
export type NatsConfig = z.output<typeof natsSchema>;
export type ElasticsearchConfig = z.output<typeof elasticsearchSchema>;

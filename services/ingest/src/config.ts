import { baseServiceSchema, flag, httpSchema } from '@soc/core';
import { z } from 'zod';

const positive = z.coerce.number().int().positive();
const days = z.coerce.number().int().min(1).max(36_500);

/** Retention in days by security level and by organisation (an organisation's own policy wins). */
export const retentionSchema = z.object({
  /** Events of hosts the asset registry does not know, and of levels not listed. */
  defaultDays: days.default(180),
  /** Security level (1–5) → days. */
  levels: z
    .record(z.string().regex(/^[1-5]$/, 'a security level, 1 to 5'), days)
    .default({ '1': 90, '2': 180, '3': 365, '4': 365, '5': 730 }),
  /** Organisation id → days. */
  organizations: z.record(z.string(), days).default({}),
  deadLetterDays: days.default(30),
  /** How often each ingest process runs the retention job (0: never). */
  intervalS: z.coerce.number().int().min(0).default(3600),
});

export const ingestSchema = z.object({
  stream: z.string().default('TELEMETRY'),
  /** The durable consumer every ingest process shares. */
  consumer: z.string().default('ingest'),
  filterSubject: z.string().default('telemetry.>'),
  /** Manage the stream's definition (the TELEMETRY stream of @soc/core) at start. */
  ensureStream: flag.default(true),
  /** Unacknowledged messages come back after this; batches waiting on Elasticsearch extend it. */
  ackWaitS: positive.default(60),
  maxAckPending: positive.default(50_000),
  /** Messages pulled ahead of processing (bounds memory: this × message size). */
  prefetch: positive.default(4_000),
  batch: z
    .object({
      maxDocs: positive.default(2_000),
      maxBytes: positive.default(8 * 1024 * 1024),
      flushMs: positive.default(500),
      /** Bulk requests in flight per process. */
      concurrency: positive.default(2),
    })
    .prefault({}),
  retry: z
    .object({
      initialMs: positive.default(200),
      maxMs: positive.default(30_000),
    })
    .prefault({}),
  /** Larger messages are dead letters. */
  maxMessageBytes: positive.default(1024 * 1024),
  /** How much of an original a dead letter keeps. */
  deadLetterOriginalBytes: positive.default(256 * 1024),
  keepOriginal: flag.default(true),
  timeZone: z.string().default('Asia/Ho_Chi_Minh'),
  /** Input name → parser id (see @soc/normalize), for inputs sniffing should not guess. */
  parsers: z.record(z.string(), z.string()).default({}),
  indices: z
    .object({
      /** Every index and alias name starts with it: `<prefix>-events-…`, `<prefix>-deadletter-…`. */
      prefix: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]*$/)
        .default('soc'),
      shards: positive.default(1),
      /** `0-1` on one node, 1 replica as soon as there is a second. */
      replicas: z.string().default('0-1'),
      refreshInterval: z.string().default('1s'),
    })
    .prefault({}),
  retention: retentionSchema.prefault({}),
  assets: z
    .object({
      refreshS: positive.default(60),
    })
    .prefault({}),
  /** Seconds between consumer-lag samples for the metrics. */
  lagIntervalS: positive.default(5),
});

export const ingestServiceSchema = baseServiceSchema.extend({
  http: httpSchema.extend({ port: httpSchema.shape.port.default(8081) }).prefault({}),
  ingest: ingestSchema.prefault({}),
});

export type IngestConfig = z.output<typeof ingestSchema>;
export type RetentionConfig = z.output<typeof retentionSchema>;

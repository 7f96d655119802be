import { baseServiceSchema, flag, httpSchema } from '@soc/core';
import { z } from 'zod';

const positive = z.coerce.number().int().positive();

export const detectionSchema = z.object({
  stream: z.string().default('TELEMETRY'),
  /** The durable consumer every detection process shares (stage 1: single-event rules). */
  consumer: z.string().default('detection'),
  filterSubject: z.string().default('telemetry.>'),
  /** Manage the TELEMETRY/ALERTS/DETECTION streams' definitions at start. */
  ensureStreams: flag.default(true),
  ackWaitS: positive.default(60),
  maxAckPending: positive.default(20_000),
  /** Messages pulled ahead of processing (bounds memory). */
  prefetch: positive.default(2_000),
  batch: z
    .object({
      /** A batch is evaluated, its alerts written, then acked as a whole. */
      maxEvents: positive.default(250),
      /** A partial batch is processed after this long; the latency floor. */
      flushMs: positive.default(50),
    })
    .prefault({}),
  /** Repeats of a rule on the same entity inside one window of this many seconds are one alert. */
  groupWindowS: positive.default(3600),
  /** Event ids kept on an alert (the newest); a redelivered event among them is not counted again. */
  maxEventIds: z.coerce.number().int().min(1).max(100).default(100),
  rules: z
    .object({
      /** Folders (or files) of the project's own Sigma rules; relative to the repository root. */
      paths: z.array(z.string()).default(['rules/sigma']),
      pipeline: z.string().default('ecs'),
      /** Seconds between checks of the rules index for changes (hot reload). */
      reloadS: positive.default(5),
    })
    .prefault({}),
  /** Threat-intelligence feeds (STIX 2.1 bundles, MISP event JSON, CSV), re-read with the rules. */
  intel: z
    .object({
      paths: z.array(z.string()).default(['rules/intel']),
    })
    .prefault({}),
  /** Correlation state: partitioned by the hash of (correlation, group key). */
  correlation: z
    .object({
      /** Stream carrying base-rule matches to their partition owner. */
      stream: z.string().default('DETECTION'),
      subjectPrefix: z.string().default('detection.corr'),
      partitions: positive.default(1),
      /** Partitions this process owns (each owned by exactly one process); default: all. */
      owned: z.array(z.coerce.number().int().min(0)).optional(),
      /** NATS KV bucket of the partitions' snapshots. */
      bucket: z.string().default('detection-correlation'),
    })
    .prefault({}),
  alerts: z
    .object({
      /** Alerts are published on `<subjectPrefix>.<level>.<rule id>`. */
      subjectPrefix: z.string().default('alerts'),
      stream: z.string().default('ALERTS'),
      /**
       * `false`: an alert is searchable at the alerts index's next refresh (≤ 250 ms). `true`
       * refreshes with every write (searchable at once, but measured slower overall under
       * load: every batch makes a segment); `wait_for` holds the batch until the refresh.
       */
      refresh: z.enum(['true', 'false', 'wait_for']).default('false'),
    })
    .prefault({}),
  indices: z
    .object({
      prefix: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]*$/)
        .default('soc'),
      /** Where the asset registry lives (ingest's), for the same `soc.*` enrichment. */
      assets: z.string().optional(),
    })
    .prefault({}),
  timeZone: z.string().default('Asia/Ho_Chi_Minh'),
  parsers: z.record(z.string(), z.string()).default({}),
  maxMessageBytes: positive.default(1024 * 1024),
  assetsRefreshS: positive.default(60),
});

export const detectionServiceSchema = baseServiceSchema.extend({
  http: httpSchema.extend({ port: httpSchema.shape.port.default(8082) }).prefault({}),
  detection: detectionSchema.prefault({}),
});

export type DetectionConfig = z.output<typeof detectionSchema>;

/**
 * The serialisable form of the correlation state, so the detection service can keep windows
 * across restarts (e.g. in a NATS KV bucket). Plain JSON; validated with zod on the way back
 * in, because it comes from storage, not from this process.
 */
import { z } from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const ref = z.union([z.number(), z.string()]);

/** [time, refs, rule index, value?] */
const entry = z.union([
  z.tuple([z.number(), z.array(ref), z.number().int().nonnegative()]),
  z.tuple([z.number(), z.array(ref), z.number().int().nonnegative(), scalar]),
]);

const group = z.object({
  /** The correlation's id, else its name, else file#document. */
  correlation: z.string(),
  values: z.array(scalar),
  entries: z.array(entry),
  newest: z.number(),
  /** Closing windows: when the window opened. */
  start: z.number(),
  /** Eager windows: quiet (after firing) until this time; null when not quiet. */
  quietUntil: z.number().nullable(),
});

export const snapshotSchema = z.object({
  version: z.literal(1),
  /** Newest event time seen; null before the first event. */
  watermark: z.number().nullable(),
  /** Least recently updated group first (the eviction order). */
  groups: z.array(group),
});

export type CorrelationSnapshot = z.infer<typeof snapshotSchema>;
export type SnapshotGroup = z.infer<typeof group>;

import { agentBaseSchema, byteSize, subjectToken } from '@soc/agent-shared';
import { loadConfig } from '@soc/core/config/load';
import { z } from 'zod';

const regex = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

// Strict: core's loader finds unknown keys in mappings, not inside list items such as inputs.
export const fileInputSchema = z.strictObject({
  /** Third token of the subject: `telemetry.<agent>.<name>`. */
  name: subjectToken,
  type: z.literal('file'),
  /** Absolute glob patterns, e.g. `/var/log/nginx/*.log`. */
  paths: z.array(z.string().startsWith('/', 'must be an absolute path or glob')).min(1),
  exclude: z.array(z.string()).default([]),
  /** `json`: each line is a JSON object (Suricata eve.json, application logs). */
  format: z.enum(['lines', 'json']).default('lines'),
  /** Lines not matching `start` continue the previous event (stack traces). */
  multiline: z
    .strictObject({
      start: regex,
      maxLines: z.coerce.number().int().positive().default(500),
      timeoutMs: z.coerce.number().int().positive().default(1000),
    })
    .optional(),
  /** Where to begin in files that exist at the very first start (later files are read whole). */
  startAt: z.enum(['beginning', 'end']).default('beginning'),
  maxLineBytes: byteSize.default(64 * 1024),
});

export const tailSchema = z.object({
  pollMs: z.coerce.number().int().positive().default(250),
  /** A rotated file is read until it has been idle this long, then closed. */
  closeInactiveMs: z.coerce.number().int().positive().default(5000),
});

export const endpointConfigSchema = agentBaseSchema.extend({
  tail: tailSchema.prefault({}),
  inputs: z
    .array(fileInputSchema)
    .min(1)
    .refine((inputs) => new Set(inputs.map((i) => i.name)).size === inputs.length, {
      message: 'input names must be unique',
    }),
});

export type EndpointConfig = z.output<typeof endpointConfigSchema>;
export type FileInputConfig = z.output<typeof fileInputSchema>;
export type TailConfig = z.output<typeof tailSchema>;

/**
 * The YAML file, then `SOC_*` environment variables over it (`NATS_URL` too). Every problem is
 * reported at once with its key and source, as for the services (core's loader).
 */
export function loadEndpointConfig(file: string, env: NodeJS.ProcessEnv = process.env): EndpointConfig {
  return loadConfig(endpointConfigSchema, { file, env }).config;
}

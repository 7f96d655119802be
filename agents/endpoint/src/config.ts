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

const absolutePath = z.string().startsWith('/', 'must be an absolute path');
const seconds = z.coerce.number().positive();

/** journald syslog priorities, most severe first: `priority: warning` keeps 0–4. */
export const JOURNAL_PRIORITIES = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
] as const;

export const journaldInputSchema = z.strictObject({
  name: subjectToken,
  type: z.literal('journald'),
  /** A journal directory (`journalctl --directory`) instead of the system journal. */
  directory: absolutePath.optional(),
  /** Filters: values of one list are alternatives (OR); the lists combine with AND. */
  units: z.array(z.string().min(1)).default([]),
  identifiers: z.array(z.string().min(1)).default([]),
  /** This priority and the more severe ones (a name or 0–7). */
  priority: z.union([z.enum(JOURNAL_PRIORITIES), z.coerce.number().int().min(0).max(7)]).optional(),
  /** Where to begin with no saved cursor (the very first start); later starts resume after the cursor. */
  startAt: z.enum(['beginning', 'end']).default('beginning'),
  /**
   * An entry longer than this (as journalctl's JSON) is shipped cut, raw, with a parse error.
   * Below the normaliser's 1 MiB message limit, with room for the envelope and escaping.
   */
  maxEntryBytes: byteSize.default(512 * 1024),
  /** journalctl to run: a path, or a name looked up on PATH. */
  journalctl: z.string().min(1).default('journalctl'),
  /** Back-off between restarts of a journalctl that exited, doubling up to the maximum. */
  restartMinMs: z.coerce.number().int().positive().default(1000),
  restartMaxMs: z.coerce.number().int().positive().default(30_000),
});

export const fimInputSchema = z.strictObject({
  name: subjectToken,
  type: z.literal('fim'),
  /** Files and directories to watch (directories with everything under them, see `recursive`). */
  paths: z.array(absolutePath).min(1),
  /** Absolute patterns left out: `*` and `?` within a name, `**` across directories. */
  exclude: z.array(absolutePath).default([]),
  recursive: z.boolean().default(true),
  /** fs.watch for changes as they happen (Linux inotify); the periodic scan runs regardless. */
  realtime: z.boolean().default(true),
  /** Full comparison with the baseline, also what catches whatever a watch missed. */
  scanIntervalS: seconds.default(900),
  /** A change seen by the watch is checked after this quiet time, so a file being written is hashed once. */
  settleMs: z.coerce.number().int().nonnegative().default(500),
  /** The first run (no baseline yet) reports nothing by default; `true` reports every file as created. */
  reportBaseline: z.boolean().default(false),
  /**
   * Bound on files in the baseline; files beyond it are not monitored, and the log says so.
   * The baseline is in memory: about 0.75 KB of heap per file (agents/endpoint/bench/fim.ts).
   */
  maxFiles: z.coerce.number().int().positive().default(50_000),
  /** Larger files are not hashed: their changes are seen by size, mtime and permissions only. */
  maxHashBytes: byteSize.default(64 * 1024 ** 2),
});

export const inventoryInputSchema = z.strictObject({
  name: subjectToken,
  type: z.literal('inventory'),
  /** One inventory at start, then one every interval. */
  intervalS: seconds.default(3600),
  packages: z.boolean().default(true),
  ports: z.boolean().default(true),
  users: z.boolean().default(true),
  /** Bound on listed packages (the event must stay well below the 1 MiB message limit). */
  maxPackages: z.coerce.number().int().positive().default(10_000),
  /** Files read, replaceable for tests and containers. */
  osRelease: absolutePath.default('/etc/os-release'),
  passwd: absolutePath.default('/etc/passwd'),
  procNet: absolutePath.default('/proc/net'),
});

export const inputSchema = z.discriminatedUnion('type', [
  fileInputSchema,
  journaldInputSchema,
  fimInputSchema,
  inventoryInputSchema,
]);

export const tailSchema = z.object({
  pollMs: z.coerce.number().int().positive().default(250),
  /** A rotated file is read until it has been idle this long, then closed. */
  closeInactiveMs: z.coerce.number().int().positive().default(5000),
});

export const endpointConfigSchema = agentBaseSchema.extend({
  tail: tailSchema.prefault({}),
  inputs: z
    .array(inputSchema)
    .min(1)
    .refine((inputs) => new Set(inputs.map((i) => i.name)).size === inputs.length, {
      message: 'input names must be unique',
    }),
});

export type EndpointConfig = z.output<typeof endpointConfigSchema>;
export type FileInputConfig = z.output<typeof fileInputSchema>;
export type TailConfig = z.output<typeof tailSchema>;
export type JournaldInputConfig = z.output<typeof journaldInputSchema>;
export type FimInputConfig = z.output<typeof fimInputSchema>;
export type InventoryInputConfig = z.output<typeof inventoryInputSchema>;
export type InputConfig = z.output<typeof inputSchema>;

/**
 * The YAML file, then `SOC_*` environment variables over it (`NATS_URL` too). Every problem is
 * reported at once with its key and source, as for the services (core's loader).
 */
export function loadEndpointConfig(file: string, env: NodeJS.ProcessEnv = process.env): EndpointConfig {
  return loadConfig(endpointConfigSchema, { file, env }).config;
}

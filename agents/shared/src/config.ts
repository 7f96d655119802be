import { hostname } from 'node:os';
import { logSchema, natsSchema } from '@soc/core/config/schemas';
import { z } from 'zod';
import { subjectToken } from './message.ts';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** A size in bytes, as a number or as operators write it: `512MiB`, `2 GB`, `64kb`. */
export const byteSize = z.union([z.number().int().positive(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(v);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a size such as 268435456, 256MiB or 1GB' });
    return z.NEVER;
  }
  return Math.round(Number(m[1]) * unit);
});

const int = (min: number) => z.coerce.number().int().min(min);

/** A hostname made safe as a subject token; the default agent id until enrollment gives one. */
export function defaultAgentId(name = hostname()): string {
  return (name.split('.')[0] || 'agent').replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
}

export const agentSchema = z.object({
  /** Second token of every subject; per-agent NATS credentials allow `telemetry.<id>.>` only. */
  id: subjectToken.default(() => defaultAgentId()),
  /** Disk buffer and state; must survive restarts (systemd: StateDirectory). */
  dataDir: z.string().min(1),
  /**
   * The host name the agent reports (`host.name` of what it reads from local logs, `agent.name`):
   * by default the operating system's. Set it where that name means nothing to the asset
   * registry, e.g. in a container.
   */
  hostName: z.string().min(1).max(255).optional(),
});

export const bufferSchema = z
  .object({
    maxBytes: byteSize.default(256 * 1024 ** 2),
    segmentBytes: byteSize.default(8 * 1024 ** 2),
    fsync: z.enum(['always', 'interval', 'never']).default('interval'),
    fsyncIntervalMs: int(1).default(200),
    whenFull: z.enum(['drop_oldest', 'block']).default('drop_oldest'),
    stateIntervalMs: int(10).default(200),
  })
  .refine((b) => b.maxBytes >= 2 * b.segmentBytes, {
    message: 'maxBytes must be at least twice segmentBytes',
    path: ['maxBytes'],
  });

export const outputSchema = z.object({
  batchMaxEvents: int(1).default(500),
  batchMaxBytes: byteSize.default(1024 ** 2),
  lingerMs: int(0).default(20),
  ackTimeoutMs: int(100).default(5000),
  retryMinMs: int(1).default(200),
  retryMaxMs: int(1).default(5000),
  appendMaxEvents: int(1).default(1000),
  appendLingerMs: int(0).default(10),
  maxPendingBytes: byteSize.default(4 * 1024 ** 2),
  /** On shutdown, how long to keep publishing what is buffered before leaving it for the next start. */
  drainMs: int(0).default(2000),
});

export const heartbeatSchema = z.object({
  intervalS: z.coerce.number().positive().default(30),
});

/** What every agent's configuration holds besides its inputs. */
export const agentBaseSchema = z.object({
  agent: agentSchema,
  nats: natsSchema.prefault({}),
  buffer: bufferSchema.prefault({}),
  output: outputSchema.prefault({}),
  heartbeat: heartbeatSchema.prefault({}),
  log: logSchema.prefault({}),
});

export type AgentBaseConfig = z.output<typeof agentBaseSchema>;

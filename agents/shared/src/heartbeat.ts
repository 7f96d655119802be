import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { DiskBuffer } from './buffer/disk-buffer.ts';
import type { InputCounters } from './output/stats.ts';

/**
 * Whether an input reads at all. `disabled`: it cannot on this host and has stopped (a
 * journald input where there is no journal): its zero counts are not a quiet source, and
 * `reason` says why, so an analyst sees it in the agent's status rather than in its log.
 */
export const INPUT_STATES = ['running', 'disabled'] as const;
export type InputState = (typeof INPUT_STATES)[number];

/** A reason is a sentence; a longer one is cut so the beat stays within what the API accepts. */
const MAX_REASON = 1000;

export interface InputCondition {
  state: InputState;
  reason?: string;
}

export interface InputStatus {
  /** Absent when the agent does not report states (see HeartbeatSource.inputStates). */
  state?: InputState;
  reason?: string;
  read: number;
  sent: number;
  buffered: number;
  dropped: number;
  duplicates: number;
  /** The input's own counters, e.g. a syslog listener's oversize and garbage messages. */
  stats?: Record<string, number>;
}

export interface HeartbeatBody {
  agent: string;
  version: string;
  host: { name: string };
  time: string;
  startedAt: string;
  uptimeS: number;
  inputs: Record<string, InputStatus>;
  buffer: { bytes: number; maxBytes: number };
  /** Age of the oldest event not yet acknowledged by JetStream. */
  lagMs: number;
  nats: { connected: boolean };
}

const count = z.number().int().nonnegative();

/**
 * A heartbeat as a consumer (the API) reads one: what it may rely on, checked. Loose objects,
 * so a newer agent's extra keys pass through an older API; only `agent` is required, so a
 * beat from an older agent (or a test's minimal one) still counts as a sign of life.
 */
export const heartbeatSchema = z.looseObject({
  agent: z.string().min(1),
  version: z.string().max(100).optional(),
  time: z.string().optional(),
  inputs: z
    .record(
      z.string(),
      z.looseObject({
        state: z.enum(INPUT_STATES).optional(),
        reason: z.string().max(MAX_REASON).optional(),
        read: count,
        sent: count,
        buffered: count,
        dropped: count,
        duplicates: count,
        stats: z.record(z.string(), z.number()).optional(),
      }),
    )
    .optional(),
});
export type Heartbeat = z.output<typeof heartbeatSchema>;

export interface HeartbeatSource {
  agentId: string;
  version: string;
  hostName: string;
  startedAt: Date;
  inputs: () => string[];
  counters: InputCounters;
  buffer: DiskBuffer;
  maxBytes: number;
  lagMs: () => number;
  connected: () => boolean;
  /** Counters an input keeps beyond read/sent (by input name). */
  inputStats?: () => Record<string, Record<string, number>>;
  /** Whether each input runs, or why not (by input name). */
  inputStates?: () => Record<string, InputCondition>;
}

export function heartbeatBody(s: HeartbeatSource, now = new Date()): HeartbeatBody {
  const names = new Set([
    ...s.inputs(),
    ...s.counters.read.keys(),
    ...s.buffer.pending.keys(),
    ...s.buffer.dropped.keys(),
  ]);
  const stats = s.inputStats?.() ?? {};
  const states = s.inputStates?.() ?? {};
  for (const n of [...Object.keys(stats), ...Object.keys(states)]) names.add(n);
  const inputs: Record<string, InputStatus> = {};
  for (const n of names) {
    const c = states[n];
    inputs[n] = {
      ...(c ? { state: c.state, ...(c.reason ? { reason: c.reason.slice(0, MAX_REASON) } : {}) } : {}),
      read: s.counters.read.get(n) ?? 0,
      sent: s.counters.sent.get(n) ?? 0,
      buffered: s.buffer.pending.get(n) ?? 0,
      dropped: s.buffer.dropped.get(n) ?? 0,
      duplicates: s.counters.duplicates.get(n) ?? 0,
      ...(stats[n] ? { stats: { ...stats[n] } } : {}),
    };
  }
  return {
    agent: s.agentId,
    version: s.version,
    host: { name: s.hostName },
    time: now.toISOString(),
    startedAt: s.startedAt.toISOString(),
    uptimeS: Math.round((now.getTime() - s.startedAt.getTime()) / 1000),
    inputs,
    buffer: { bytes: s.buffer.bytes, maxBytes: s.maxBytes },
    lagMs: s.lagMs(),
    nats: { connected: s.connected() },
  };
}

export interface Heartbeater {
  /** Beats now, out of turn (on connecting: the API learns of the agent without waiting an interval). */
  beat(): void;
  stop(): void;
}

/** Publishes the heartbeat on `subject` every `intervalMs` while a connection exists. */
export function startHeartbeat(
  source: HeartbeatSource,
  subject: string,
  intervalMs: number,
  nc: () => NatsConnection | undefined,
): Heartbeater {
  const beat = () => {
    const conn = nc();
    // Core NATS, not JetStream: a heartbeat lost in an outage is superseded by the next one.
    if (conn && !conn.isClosed()) conn.publish(subject, JSON.stringify(heartbeatBody(source)));
  };
  beat();
  const t = setInterval(beat, intervalMs);
  t.unref();
  return { beat, stop: () => clearInterval(t) };
}

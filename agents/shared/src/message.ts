import { z } from 'zod';

/**
 * The one message every agent publishes on `telemetry.<agentId>.<input>`, as UTF-8 JSON.
 * It is the wire contract with ingest and detection: add optional fields freely, but a change
 * that breaks an existing reader needs a new `v`.
 */
export const MESSAGE_VERSION = 1;

/** A NATS subject token: no dots, wildcards or spaces, so ids and input names are safe in subjects. */
export const subjectToken = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-" only (it becomes a NATS subject token)');

export const agentMessageSchema = z
  .object({
    v: z.literal(MESSAGE_VERSION),
    /** The agent's id, also the second token of the subject and the prefix of `id`. */
    agent: subjectToken,
    /** The configured input that read the event, also the third token of the subject. */
    input: subjectToken,
    /** Per-agent sequence, 1, 2, 3…: strictly increasing across inputs and restarts. */
    seq: z.number().int().positive(),
    /** `${agent}:${seq}`, sent as the Nats-Msg-Id header; ingest uses it as the document id. */
    id: z.string(),
    /** When the agent read the event (ISO 8601, UTC); the event's own time is in its payload. */
    observed: z.iso.datetime(),
    host: z.object({ name: z.string() }),
    /**
     * Where the event came from: a file path and the byte offset of its first line, for a file
     * input; the sender's address, port and transport, for a network listener (syslog).
     */
    source: z
      .object({
        path: z.string().optional(),
        offset: z.number().int().nonnegative().optional(),
        address: z.string().optional(),
        port: z.number().int().min(0).max(65535).optional(),
        transport: z.enum(['udp', 'tcp', 'tls']).optional(),
      })
      .optional(),
    /** The raw text (one line, or several grouped by a multi-line rule). */
    line: z.string().optional(),
    /** A structured event, e.g. one parsed JSON line. */
    event: z.record(z.string(), z.unknown()).optional(),
    /** The line was longer than the input's maxLineBytes and was cut there. */
    truncated: z.boolean().optional(),
    /** The input expected structure and could not parse `line` (it is shipped raw, never dropped). */
    parseError: z.string().optional(),
  })
  .refine((m) => m.line !== undefined || m.event !== undefined, { message: 'needs line or event' })
  .refine((m) => m.id === messageId(m.agent, m.seq), { message: 'id must be <agent>:<seq>' });

export type AgentMessage = z.output<typeof agentMessageSchema>;

export function messageId(agentId: string, seq: number): string {
  return `${agentId}:${seq}`;
}

/** What a reader hands to the output; the output adds agent, seq, id and host. */
export interface EventBody {
  observed?: Date;
  source?: AgentMessage['source'];
  line?: string;
  event?: Record<string, unknown>;
  truncated?: boolean;
  parseError?: string;
}

export function buildMessage(
  agentId: string,
  hostName: string,
  input: string,
  seq: number,
  body: EventBody,
): AgentMessage {
  const { observed, ...rest } = body;
  return {
    v: MESSAGE_VERSION,
    agent: agentId,
    input,
    seq,
    id: messageId(agentId, seq),
    observed: (observed ?? new Date()).toISOString(),
    host: { name: hostName },
    ...rest,
  };
}

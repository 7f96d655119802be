import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ensureStream } from '@soc/core/nats/jetstream';
import { type AgentMessage, agentMessageSchema } from '../src/message.ts';
import { TELEMETRY_STREAM } from '../src/subjects.ts';

/** Test support: what tests assert on is what a consumer of the TELEMETRY stream would see. */
export async function ensureTelemetry(nc: NatsConnection): Promise<void> {
  await ensureStream(await jetstreamManager(nc), TELEMETRY_STREAM);
}

/** How many messages the stream holds for one agent. */
export async function countFor(nc: NatsConnection, agentId: string): Promise<number> {
  const info = await (await jetstreamManager(nc)).streams.info(TELEMETRY_STREAM.name, {
    subjects_filter: `telemetry.${agentId}.>`,
  });
  return Object.values(info.state.subjects ?? {}).reduce((a, n) => a + n, 0);
}

/** Every message of one agent in stream order, each checked against the published schema. */
export async function readAgent(
  nc: NatsConnection,
  agentId: string,
): Promise<Array<{ msg: AgentMessage; msgId: string | undefined }>> {
  const total = await countFor(nc, agentId);
  const consumer = await jetstream(nc).consumers.get(TELEMETRY_STREAM.name, {
    // A single subject string: nats-server 2.9 (Debian's) has no multi-filter consumers.
    filter_subjects: `telemetry.${agentId}.>`,
  });
  const out: Array<{ msg: AgentMessage; msgId: string | undefined }> = [];
  while (out.length < total) {
    const batch = await consumer.fetch({ max_messages: Math.min(10_000, total - out.length), expires: 5000 });
    for await (const m of batch) {
      out.push({ msg: agentMessageSchema.parse(m.json()), msgId: m.headers?.get('Nats-Msg-Id') });
    }
  }
  return out;
}

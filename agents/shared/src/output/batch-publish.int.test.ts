import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countFor, ensureTelemetry } from '../../test/stream.ts';
import type { BufferRecord } from '../buffer/record.ts';
import { messageId } from '../message.ts';
import { inboxPrefix, telemetrySubject } from '../subjects.ts';
import { ConnectionBatches } from './batch-publish.ts';

const natsUrl = process.env.NATS_URL;
const skip = natsUrl ? '' : ' [skipped: needs NATS_URL (npm test, or soc stack up)]';

describe.skipIf(!natsUrl)(`JetStream batches on one ack subscription, on the real NATS${skip}`, () => {
  let nc: NatsConnection;
  const agentId = `bp-${process.pid}-${Date.now().toString(36)}`;
  const records = (from: number, n: number, subject = telemetrySubject(agentId, 'in')): BufferRecord[] =>
    Array.from({ length: n }, (_, i) => ({
      seq: from + i,
      subject,
      input: 'in',
      time: Date.now(),
      payload: Buffer.from(`{"n":${from + i}}`),
    }));
  const ids = (rs: BufferRecord[]) => rs.map((r) => messageId(agentId, r.seq));

  beforeAll(async () => {
    nc = await connect({ servers: natsUrl!, inboxPrefix: inboxPrefix(agentId) });
    await ensureTelemetry(nc);
  });
  afterAll(async () => {
    await (await jetstreamManager(nc)).streams.purge('TELEMETRY', { filter: `telemetry.${agentId}.>` });
    await nc?.close();
  });

  it('stores a batch once per message id: a resent batch comes back as duplicates', async () => {
    const b = new ConnectionBatches(nc, inboxPrefix(agentId));
    const first = records(1, 300);
    const out = await b.publish(first, ids(first), 5000);
    expect(out.every((o) => o.ok && !o.duplicate)).toBe(true);
    const again = records(201, 200);
    const out2 = await b.publish(again, ids(again), 5000);
    expect(out2.map((o) => o.ok && o.duplicate)).toEqual([
      ...Array.from({ length: 100 }, () => true),
      ...Array.from({ length: 100 }, () => false),
    ]);
    expect(await countFor(nc, agentId)).toBe(400);
    b.close();
  });

  it('a subject no stream takes fails at once (no responders), not at the timeout', async () => {
    const b = new ConnectionBatches(nc, inboxPrefix(agentId));
    const rs = records(1, 3, `nostream-${agentId}.x`);
    const t0 = Date.now();
    const out = await b.publish(rs, ids(rs), 10_000);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(out.every((o) => !o.ok)).toBe(true);
    b.close();
  });

  it('a batch waiting for acks fails when its connection goes (the publisher retries on the next)', async () => {
    const own = await connect({ servers: natsUrl!, inboxPrefix: inboxPrefix(agentId) });
    const b = new ConnectionBatches(own, inboxPrefix(agentId));
    const rs = records(1000, 50);
    const pending = b.publish(rs, ids(rs), 60_000);
    b.close();
    const out = await pending;
    expect(out.some((o) => !o.ok)).toBe(true);
    await own.close();
  });
  it('made on a connection that closed meanwhile, it fails every publish instead of throwing', async () => {
    const gone = await connect({ servers: natsUrl!, inboxPrefix: inboxPrefix(agentId) });
    await gone.close();
    const b = new ConnectionBatches(gone, inboxPrefix(agentId));
    const rs = records(2000, 3);
    const out = await b.publish(rs, ids(rs), 60_000);
    expect(out.every((o) => !o.ok)).toBe(true);
    b.close();
  });
});

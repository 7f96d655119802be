import { needsStack, stack, stackUrls, uniqueName } from '@soc/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log/logger.ts';
import { connectNats, type NatsConnection } from './connect.ts';
import {
  AckPolicy,
  ensureDurable,
  ensureStream,
  type JetStreamManager,
  jetstream,
  manager,
} from './jetstream.ts';

describe.skipIf(!stackUrls)(`JetStream on the real NATS server${needsStack}`, () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const streamName = uniqueName('TEST').replaceAll('-', '_');
  const subject = `${streamName.toLowerCase()}.events`;

  beforeAll(async () => {
    nc = await connectNats(
      { url: stack().natsUrl },
      { name: 'jetstream-int-test', logger: createLogger({ service: 't', level: 'silent' }) },
    );
    jsm = await manager(nc);
  });
  afterAll(async () => {
    await jsm?.streams.delete(streamName).catch(() => undefined);
    await nc?.close();
  });

  it('creates a stream once and converges on a changed config', async () => {
    const first = await ensureStream(jsm, {
      name: streamName,
      subjects: [`${subject}`],
      duplicate_window: 60_000_000_000,
    });
    expect(first.config.subjects).toEqual([subject]);
    const again = await ensureStream(jsm, {
      name: streamName,
      subjects: [`${subject}`],
      duplicate_window: 60_000_000_000,
    });
    expect(again.created).toEqual(first.created);
    const changed = await ensureStream(jsm, {
      name: streamName,
      subjects: [`${subject}`],
      max_msgs: 10_000,
      duplicate_window: 60_000_000_000,
    });
    expect(changed.config.max_msgs).toBe(10_000);
  });

  it('drops a re-published message id inside the duplicate window', async () => {
    const js = jetstream(nc);
    for (let i = 0; i < 100; i++) {
      const ack = await js.publish(subject, JSON.stringify({ i }), { msgID: `m-${i}` });
      expect(ack.duplicate).toBe(false);
    }
    for (let i = 0; i < 10; i++) {
      const ack = await js.publish(subject, JSON.stringify({ i }), { msgID: `m-${i}` });
      expect(ack.duplicate).toBe(true);
    }
    expect((await jsm.streams.info(streamName)).state.messages).toBe(100);
  });

  it('redelivers what was not acked, so a consumer that dies mid-batch loses nothing', async () => {
    const durable = 'worker';
    const info = await ensureDurable(jsm, streamName, {
      durable_name: durable,
      ack_wait: 1_000_000_000,
      max_deliver: -1,
    });
    expect(info.config.ack_policy).toBe(AckPolicy.Explicit);
    const consumer = await jetstream(nc).consumers.get(streamName, durable);

    // First pass: take every message but ack only the even ones, as if the worker crashed.
    const first = await consumer.fetch({ max_messages: 100, expires: 5_000 });
    let taken = 0;
    for await (const m of first) {
      taken++;
      if (m.json<{ i: number }>().i % 2 === 0) m.ack();
    }
    expect(taken).toBe(100);

    // After ack_wait the 50 odd ones come back, marked redelivered; ack them all.
    const seen = new Set<number>();
    const deadline = Date.now() + 20_000;
    while (seen.size < 50 && Date.now() < deadline) {
      const batch = await consumer.fetch({ max_messages: 50, expires: 2_000 });
      for await (const m of batch) {
        expect(m.redelivered).toBe(true);
        seen.add(m.json<{ i: number }>().i);
        await m.ackAck();
      }
    }
    expect([...seen].every((i) => i % 2 === 1)).toBe(true);
    expect(seen.size).toBe(50);
    const after = await jsm.consumers.info(streamName, durable);
    expect(after.num_ack_pending).toBe(0);
    expect(after.num_pending).toBe(0);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskBuffer } from '../buffer/disk-buffer.ts';
import { agentMessageSchema } from '../message.ts';
import { Output } from './output.ts';
import { Publisher } from './publisher.ts';
import { InputCounters } from './stats.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function setup(over: Partial<ConstructorParameters<typeof Output>[0]> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'soc-out-'));
  dirs.push(dir);
  const buffer = await DiskBuffer.open({
    dir,
    maxBytes: 64 * 1024 * 1024,
    segmentBytes: 1024 * 1024,
    fsync: 'never',
    fsyncIntervalMs: 10,
    whenFull: 'block',
    stateIntervalMs: 60_000,
  });
  const counters = new InputCounters();
  const output = new Output({
    agentId: 'web-01',
    hostName: 'web-01.example',
    buffer,
    counters,
    appendMaxEvents: 100,
    appendLingerMs: 5,
    maxPendingBytes: 1024 * 1024,
    ...over,
  });
  return { buffer, counters, output };
}

/** A stand-in for the JetStream client: records publishes; fails the ones `fail` says. */
function fakeJs(fail: (msgID: string, attempt: number) => boolean = () => false) {
  const calls: Array<{ subject: string; msgID: string; attempt: number }> = [];
  const stored = new Set<string>();
  const attempts = new Map<string, number>();
  const js = {
    publish: async (subject: string, _payload: Uint8Array, o: { msgID: string }): Promise<PubAck> => {
      const attempt = (attempts.get(o.msgID) ?? 0) + 1;
      attempts.set(o.msgID, attempt);
      calls.push({ subject, msgID: o.msgID, attempt });
      if (fail(o.msgID, attempt)) throw Object.assign(new Error('timeout'), { code: 'TIMEOUT' });
      const duplicate = stored.has(o.msgID);
      stored.add(o.msgID);
      return { stream: 'TELEMETRY', seq: stored.size, duplicate };
    },
  } as unknown as JetStreamClient;
  return { js, calls, stored };
}

const silent = pino({ level: 'silent' });

function publisher(buffer: DiskBuffer, counters: InputCounters, js: JetStreamClient, over = {}) {
  const p = new Publisher({
    agentId: 'web-01',
    buffer,
    counters,
    logger: silent,
    batchMaxEvents: 50,
    batchMaxBytes: 1024 * 1024,
    lingerMs: 0,
    ackTimeoutMs: 1000,
    retryMinMs: 1,
    retryMaxMs: 5,
    ...over,
  });
  p.setClient(js);
  return p;
}

async function until(cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Output', () => {
  it('writes messages that the published schema accepts, with id = agent:seq', async () => {
    const { buffer, output } = await setup();
    await output.write('nginx', { line: 'GET /', source: { path: '/var/log/a', offset: 0 } });
    await output.write('app', { event: { level: 'info' } });
    await output.flush();
    const recs = await buffer.read(10, 1e6);
    expect(recs.map((r) => r.subject)).toEqual(['telemetry.web-01.nginx', 'telemetry.web-01.app']);
    const msgs = recs.map((r) => agentMessageSchema.parse(JSON.parse(Buffer.from(r.payload).toString())));
    expect(msgs.map((m) => [m.id, m.seq, m.input])).toEqual([
      ['web-01:1', 1, 'nginx'],
      ['web-01:2', 2, 'app'],
    ]);
    expect(msgs[0]!.host.name).toBe('web-01.example');
    await buffer.close();
  });

  it('a failed append stops the output and is reported on `failed` (the agent exits, nothing is skipped)', async () => {
    const { buffer, output } = await setup();
    await buffer.close(); // appends now fail, as on a disk error
    await output.write('in', { line: 'x' });
    await expect(output.flush()).rejects.toThrow(/closed/);
    await expect(output.failed).rejects.toThrow(/closed/);
    await expect(output.write('in', { line: 'y' })).rejects.toThrow(/closed/);
  });

  it('gathers events into appends by count and by time', async () => {
    const { buffer, output } = await setup({ appendMaxEvents: 10, appendLingerMs: 30 });
    for (let i = 0; i < 25; i++) await output.write('in', { line: `l${i}` });
    // Two full appends of 10 happened on the writes themselves; 5 wait for the linger.
    expect((await buffer.read(100, 1e6)).length).toBe(20);
    await new Promise((r) => setTimeout(r, 80));
    expect((await buffer.read(100, 1e6)).length).toBe(5);
    await buffer.close();
  });

  it('applies backpressure: write() waits when the buffer is full, and memory stays bounded', async () => {
    // A blocking buffer that nobody drains: writes must stall rather than grow memory.
    const dir = mkdtempSync(join(tmpdir(), 'soc-out-'));
    dirs.push(dir);
    const small = await DiskBuffer.open({
      dir,
      maxBytes: 8192,
      segmentBytes: 4096,
      fsync: 'never',
      fsyncIntervalMs: 10,
      whenFull: 'block',
      stateIntervalMs: 60_000,
    });
    const stalled = new Output({
      agentId: 'a',
      hostName: 'h',
      buffer: small,
      counters: new InputCounters(),
      appendMaxEvents: 1000,
      appendLingerMs: 1,
      maxPendingBytes: 2000,
    });
    let written = 0;
    const writer = (async () => {
      for (let i = 0; i < 10_000; i++) {
        await stalled.write('in', { line: 'x'.repeat(100) });
        written++;
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    // About maxBytes on disk plus maxPendingBytes in memory, nowhere near 10,000.
    expect(written).toBeLessThan(100);
    // Draining the buffer lets the writer go on.
    const before = written;
    for (let i = 0; i < 20; i++) {
      await small.ack(await small.read(1000, 1e6));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(written).toBeGreaterThan(before);
    void writer.catch(() => undefined);
    await small.close();
  });
});

describe('Publisher', () => {
  it('waits for a connection, then publishes what was buffered meanwhile', async () => {
    const { buffer, counters, output } = await setup();
    const p = publisher(buffer, counters, fakeJs().js);
    p.setClient(undefined);
    p.start();
    for (let i = 0; i < 10; i++) await output.write('in', { line: `l${i}` });
    await output.flush();
    await new Promise((r) => setTimeout(r, 30));
    expect(counters.sent.get('in')).toBeUndefined();
    const fake = fakeJs();
    p.setClient(fake.js);
    await until(() => counters.sent.get('in') === 10);
    expect(fake.calls.length).toBe(10);
    await p.stop();
    await buffer.close();
  });

  it('publishes in order with Nats-Msg-Id agent:seq, in batches of at most batchMaxEvents', async () => {
    const { buffer, counters, output } = await setup();
    const fake = fakeJs();
    for (let i = 0; i < 120; i++) await output.write('in', { line: `l${i}` });
    await output.flush();
    const p = publisher(buffer, counters, fake.js);
    p.start();
    await until(() => counters.sent.get('in') === 120);
    expect(fake.calls.map((c) => c.msgID)).toEqual(Array.from({ length: 120 }, (_, i) => `web-01:${i + 1}`));
    expect(buffer.pending.size).toBe(0);
    await p.stop();
    await buffer.close();
  });

  it('linger: a partial batch waits for more events before it goes', async () => {
    const { buffer, counters, output } = await setup({ appendLingerMs: 0 });
    const fake = fakeJs();
    const p = publisher(buffer, counters, fake.js, { lingerMs: 100 });
    p.start();
    await output.write('in', { line: 'first' });
    await output.flush();
    await new Promise((r) => setTimeout(r, 30));
    expect(fake.calls.length).toBe(0);
    await output.write('in', { line: 'second' });
    await output.flush();
    await until(() => counters.sent.get('in') === 2);
    expect(fake.calls.length).toBe(2);
    await p.stop();
    await buffer.close();
  });

  it('after a failed publish re-sends from the first failure, in order; stored ones come back as duplicates', async () => {
    const { buffer, counters, output } = await setup();
    // Message 7 fails twice, as if its ack was lost in a NATS outage.
    const fake = fakeJs((id, attempt) => id === 'web-01:7' && attempt <= 2);
    for (let i = 0; i < 20; i++) await output.write('in', { line: `l${i}` });
    await output.flush();
    const p = publisher(buffer, counters, fake.js);
    p.start();
    await until(() => counters.sent.get('in') === 20);
    expect(fake.stored.size).toBe(20);
    // 8..20 were stored on the first round and re-sent twice: each resend is a duplicate.
    expect(counters.duplicates.get('in')).toBe(13 * 2);
    const firstOf7 = fake.calls.findIndex((c) => c.msgID === 'web-01:7' && c.attempt === 3);
    expect(fake.calls.slice(firstOf7).map((c) => c.msgID)).toEqual(
      Array.from({ length: 14 }, (_, i) => `web-01:${i + 7}`),
    );
    await p.stop();
    await buffer.close();
  });
});

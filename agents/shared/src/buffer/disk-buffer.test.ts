import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskBuffer, type DiskBufferOptions } from './disk-buffer.ts';
import type { BufferRecord } from './record.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function options(over: Partial<DiskBufferOptions> = {}): DiskBufferOptions {
  const dir = mkdtempSync(join(tmpdir(), 'soc-buf-'));
  dirs.push(dir);
  return {
    dir,
    maxBytes: 1024 * 1024,
    segmentBytes: 4096,
    fsync: 'never',
    fsyncIntervalMs: 10,
    whenFull: 'drop_oldest',
    stateIntervalMs: 60_000,
    ...over,
  };
}

function records(from: number, n: number, input = 'in', size = 50): BufferRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    seq: from + i,
    subject: `telemetry.a.${input}`,
    input,
    time: 1,
    cursor: { key: `file:${input}`, value: { offset: (from + i) * 10 } },
    payload: Buffer.from(`${from + i}:`.padEnd(size, 'x')),
  }));
}

async function readAll(b: DiskBuffer): Promise<BufferRecord[]> {
  const out: BufferRecord[] = [];
  for (let batch = await b.read(7, 1e6); batch.length; batch = await b.read(7, 1e6)) out.push(...batch);
  return out;
}

describe('DiskBuffer', () => {
  it('hands out appended records once, in order, across segments', async () => {
    const b = await DiskBuffer.open(options());
    for (let i = 0; i < 10; i++) await b.append(records(1 + i * 20, 20));
    const got = await readAll(b);
    expect(got.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(Buffer.from(got[41]!.payload).toString()).toMatch(/^42:x+$/);
    expect(await b.read(10, 1e6)).toEqual([]);
    expect(b.pending.get('in')).toBe(200);
    await b.close();
  });

  it('hands out the same records whether they come from memory or from the files', async () => {
    // 3 MiB of records: more than the buffer keeps in memory for the reader, so reads mix both.
    const opts = options({ maxBytes: 64 * 1024 * 1024, segmentBytes: 256 * 1024 });
    const b = await DiskBuffer.open(opts);
    for (let i = 0; i < 60; i++) await b.append(records(1 + i * 100, 100, 'in', 500));
    const first = await b.read(1000, 1e9);
    const rest = await readAll(b);
    const got = [...first, ...rest];
    expect(got.map((r) => r.seq)).toEqual(Array.from({ length: 6000 }, (_, i) => i + 1));
    for (const r of [got[0]!, got[2999]!, got[5999]!])
      expect(Buffer.from(r.payload).toString()).toMatch(new RegExp(`^${r.seq}:x+$`));
    await b.close();
    // The same log read back from the files alone after a restart.
    const again = await DiskBuffer.open(opts);
    const fromDisk = await readAll(again);
    expect(
      fromDisk.map((r) => [r.seq, r.subject, r.input, r.time, Buffer.from(r.payload).toString()]),
    ).toEqual(got.map((r) => [r.seq, r.subject, r.input, r.time, Buffer.from(r.payload).toString()]));
    await again.close();
  });

  it('refuses an append that does not continue the sequence', async () => {
    const b = await DiskBuffer.open(options());
    await b.append(records(1, 3));
    await expect(b.append(records(5, 1))).rejects.toThrow(/out of order/);
    await b.close();
  });

  it('after a restart re-reads only what was not acknowledged and continues the sequence', async () => {
    const opts = options();
    const b = await DiskBuffer.open(opts);
    await b.append(records(1, 100));
    const first = await b.read(60, 1e6);
    await b.ack(first);
    await b.close();

    const again = await DiskBuffer.open(opts);
    expect(again.nextSeq).toBe(101);
    expect(again.pending.get('in')).toBe(40);
    expect((await readAll(again)).map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => 61 + i));
    await again.close();
  });

  it('after a restart, acknowledged records at the head of a segment never make a read come back empty', async () => {
    const opts = options({ segmentBytes: 512 * 1024 });
    const b = await DiskBuffer.open(opts);
    await b.append(records(1, 1000, 'in', 200));
    await b.ack(await b.read(900, 1e9));
    await b.close();
    const again = await DiskBuffer.open(opts);
    // 900 acked records (~200 kB) precede the first unacked one; a 4 kB read must still find it.
    const first = await again.read(10, 4096);
    expect(first[0]?.seq).toBe(901);
    await again.close();
  });

  it('recovers cursors newer than the state file from the log itself (a kill -9 between the two)', async () => {
    const opts = options();
    const b = await DiskBuffer.open(opts);
    await b.append(records(1, 5));
    await b.persistState();
    await b.append(records(6, 5));
    // No close(): the state file still says nextSeq 6, as after a kill -9.
    const again = await DiskBuffer.open(opts);
    expect(again.cursors.get('file:in')).toEqual({ offset: 100 });
    expect(again.nextSeq).toBe(11);
    await again.close();
    await b.close();
  });

  it('deletes acknowledged segments but keeps their cursors and sequence', async () => {
    const opts = options();
    const b = await DiskBuffer.open(opts);
    for (let i = 0; i < 5; i++) await b.append(records(1 + i * 40, 40));
    const before = readdirSync(join(opts.dir, 'segments')).length;
    await b.ack(await readAll(b));
    const after = readdirSync(join(opts.dir, 'segments')).length;
    expect(before).toBeGreaterThan(2);
    expect(after).toBe(1);
    const again = await DiskBuffer.open(opts);
    expect(again.nextSeq).toBe(201);
    expect(again.cursors.get('file:in')).toEqual({ offset: 2000 });
    expect(again.pending.size).toBe(0);
    await again.close();
    await b.close();
  });

  it('cuts a torn record at the end of a segment and says so', async () => {
    const opts = options();
    const b = await DiskBuffer.open(opts);
    await b.append(records(1, 10));
    await b.close();
    const seg = join(opts.dir, 'segments', readdirSync(join(opts.dir, 'segments'))[0]!);
    appendFileSync(seg, Buffer.from([200, 0, 0, 0, 1, 2, 3]));
    const cut: string[] = [];
    const again = await DiskBuffer.open({ ...opts, onCorrupt: (_f, _o, reason) => cut.push(reason) });
    expect(cut).toEqual(['torn record at end']);
    expect((await readAll(again)).length).toBe(10);
    await again.append(records(11, 1));
    expect((await readAll(again)).map((r) => r.seq)).toEqual([11]);
    await again.close();
  });

  it('drop_oldest: stays within maxBytes and counts every dropped record per input', async () => {
    const dropped: Array<Map<string, number>> = [];
    const b = await DiskBuffer.open(
      options({ maxBytes: 16 * 1024, segmentBytes: 4096, onDrop: (m) => dropped.push(m) }),
    );
    let seq = 1;
    for (let i = 0; i < 50; i++) {
      const input = i % 2 ? 'odd' : 'even';
      await b.append(records(seq, 10, input, 100));
      seq += 10;
      expect(b.bytes).toBeLessThanOrEqual(16 * 1024);
    }
    const survivors = await readAll(b);
    const lost = [...b.dropped.values()].reduce((a, n) => a + n, 0);
    expect(lost).toBeGreaterThan(0);
    expect(survivors.length + lost).toBe(500);
    expect(dropped.reduce((a, m) => a + [...m.values()].reduce((x, y) => x + y, 0), 0)).toBe(lost);
    // What survives is the newest, contiguous and in order.
    expect(survivors.at(-1)!.seq).toBe(500);
    expect(survivors.map((r) => r.seq)).toEqual(
      Array.from({ length: survivors.length }, (_, i) => 501 - survivors.length + i),
    );
    expect(b.dropped.get('even')! + b.dropped.get('odd')!).toBe(lost);
    await b.close();
  });

  it('drop_oldest: one append larger than the whole buffer still leaves it within maxBytes', async () => {
    const b = await DiskBuffer.open(options({ maxBytes: 16 * 1024, segmentBytes: 4096 }));
    await b.append(records(1, 500, 'in', 200)); // ~120 kB in one call
    expect(b.bytes).toBeLessThanOrEqual(16 * 1024);
    const survivors = await readAll(b);
    expect(survivors.at(-1)!.seq).toBe(500);
    expect(survivors.length + b.dropped.get('in')!).toBe(500);
    await b.close();
  });

  it('drop_oldest never counts records already handed to the publisher as dropped', async () => {
    const b = await DiskBuffer.open(options({ maxBytes: 8 * 1024, segmentBytes: 4096 }));
    await b.append(records(1, 20, 'in', 100));
    const taken = await b.read(1000, 1e6);
    for (let s = 21; s < 200; s += 20) await b.append(records(s, 20, 'in', 100));
    const rest = await readAll(b);
    expect(taken.length + rest.length + (b.dropped.get('in') ?? 0)).toBe(199 + 1 - 0);
    await b.close();
  });

  it('block: an append waits until acknowledgements make room', async () => {
    const b = await DiskBuffer.open(options({ maxBytes: 8 * 1024, segmentBytes: 4096, whenFull: 'block' }));
    let seq = 1;
    while (b.bytes < 7 * 1024) {
      await b.append(records(seq, 5, 'in', 100));
      seq += 5;
    }
    let done = false;
    const blocked = b.append(records(seq, 20, 'in', 100)).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    await b.ack(await b.read(1000, 1e6));
    await blocked;
    expect(done).toBe(true);
    expect(b.dropped.size).toBe(0);
    await b.close();
  });

  it('fsync interval: records become readable only once synced', async () => {
    const b = await DiskBuffer.open(options({ fsync: 'interval', fsyncIntervalMs: 60_000 }));
    await b.append(records(1, 3));
    expect(await b.read(10, 1e6)).toEqual([]);
    await b.sync();
    expect((await b.read(10, 1e6)).length).toBe(3);
    await b.close();
  });
});

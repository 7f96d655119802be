import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentMessage, DiskBuffer, InputCounters, Output } from '@soc/agent-shared';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { fileInputSchema, tailSchema } from '../config.ts';
import { FileInput } from './file-input.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'soc-tail-'));
  dirs.push(d);
  return d;
}

/** A file input writing to a real disk buffer; `drain()` returns what it shipped so far. */
async function harness(logs: string, data: string, input: Record<string, unknown> = {}) {
  const buffer = await DiskBuffer.open({
    dir: data,
    maxBytes: 64 * 1024 * 1024,
    segmentBytes: 1024 * 1024,
    fsync: 'never',
    fsyncIntervalMs: 10,
    whenFull: 'block',
    stateIntervalMs: 60_000,
  });
  const output = new Output({
    agentId: 'ep',
    hostName: 'h',
    buffer,
    counters: new InputCounters(),
    appendMaxEvents: 1000,
    appendLingerMs: 1,
    maxPendingBytes: 1024 * 1024,
  });
  const cfg = fileInputSchema.parse({ name: 'app', type: 'file', paths: [join(logs, '*.log')], ...input });
  const fi = new FileInput(
    cfg,
    tailSchema.parse({ closeInactiveMs: 50 }),
    output,
    buffer.cursors,
    (k) => buffer.forget(k),
    pino({ level: 'silent' }),
  );
  const drain = async (): Promise<AgentMessage[]> => {
    await output.flush();
    const recs = await buffer.read(1e6, 1e9);
    await buffer.ack(recs);
    return recs.map((r) => JSON.parse(Buffer.from(r.payload).toString()) as AgentMessage);
  };
  return {
    fi,
    buffer,
    drain,
    close: async () => {
      await fi.stop();
      await buffer.close();
    },
  };
}

const lines = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `line ${from + i}\n`).join('');
const texts = (ms: AgentMessage[]) => ms.map((m) => m.line);
const expected = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `line ${from + i}`);

describe('FileInput', () => {
  it('ships each complete line once; a line split across writes waits for its end', async () => {
    const logs = tmp();
    const h = await harness(logs, tmp());
    const f = join(logs, 'a.log');
    writeFileSync(f, 'line 0\nline 1\nli');
    await h.fi.poll();
    expect(texts(await h.drain())).toEqual(['line 0', 'line 1']);
    appendFileSync(f, 'ne 2\n');
    await h.fi.poll();
    const [m] = await h.drain();
    expect(m).toMatchObject({ line: 'line 2', source: { path: f, offset: 14 } });
    await h.fi.poll();
    expect(await h.drain()).toEqual([]);
    await h.close();
  });

  it('rename rotation: finishes the renamed file (older lines first), then reads the new one', async () => {
    const logs = tmp();
    const h = await harness(logs, tmp());
    const f = join(logs, 'a.log');
    writeFileSync(f, lines(0, 10));
    await h.fi.poll();
    appendFileSync(f, lines(10, 20)); // written before the rename, not yet read
    renameSync(f, join(logs, 'a.log.1')); // out of the glob
    appendFileSync(join(logs, 'a.log.1'), lines(20, 25)); // the writer still had the old file open
    writeFileSync(f, lines(25, 40));
    await h.fi.poll();
    expect(texts(await h.drain())).toEqual(expected(0, 40));
    await new Promise((r) => setTimeout(r, 60));
    await h.fi.poll(); // the idle rotated file is closed and its cursor forgotten
    expect(h.buffer.cursors.size).toBe(1);
    await h.close();
  });

  it('copytruncate: lines written before the truncation but not yet read come from the copy, once', async () => {
    const logs = tmp();
    const h = await harness(logs, tmp(), { paths: [join(logs, '*.log*')] });
    const f = join(logs, 'a.log');
    writeFileSync(f, lines(0, 10));
    await h.fi.poll();
    appendFileSync(f, lines(10, 20));
    copyFileSync(f, join(logs, 'a.log.1'));
    truncateSync(f, 0);
    appendFileSync(f, lines(20, 30));
    await h.fi.poll();
    await h.fi.poll();
    expect(texts(await h.drain())).toEqual(expected(0, 30));
    await h.close();
  });

  it('copytruncate seen half-way (copy made, not yet truncated): waits, then reads the copy from where the original stopped', async () => {
    const logs = tmp();
    const h = await harness(logs, tmp(), { paths: [join(logs, '*.log*')] });
    const f = join(logs, 'a.log');
    writeFileSync(f, lines(0, 10));
    await h.fi.poll();
    appendFileSync(f, lines(10, 15));
    copyFileSync(f, join(logs, 'a.log.1'));
    await h.fi.poll(); // original read on to line 14; the copy is held
    truncateSync(f, 0);
    appendFileSync(f, lines(15, 20));
    await h.fi.poll();
    await h.fi.poll();
    expect(texts(await h.drain())).toEqual(expected(0, 20));
    await h.close();
  });

  it('a plain copy of a file being read is not shipped again', async () => {
    const logs = tmp();
    const h = await harness(logs, tmp(), { paths: [join(logs, '*.log*')] });
    writeFileSync(join(logs, 'a.log'), lines(0, 10));
    await h.fi.poll();
    copyFileSync(join(logs, 'a.log'), join(logs, 'a.log.bak'));
    await h.fi.poll();
    await new Promise((r) => setTimeout(r, 60));
    await h.fi.poll();
    appendFileSync(join(logs, 'a.log.bak'), 'appended to the copy\n');
    await h.fi.poll();
    expect(texts(await h.drain())).toEqual([...expected(0, 10), 'appended to the copy']);
    await h.close();
  });

  it('resumes from the cursor after a restart: nothing skipped, nothing repeated', async () => {
    const logs = tmp();
    const data = tmp();
    const f = join(logs, 'a.log');
    writeFileSync(f, lines(0, 50));
    const h1 = await harness(logs, data);
    await h1.fi.poll();
    expect((await h1.drain()).length).toBe(50);
    await h1.close();
    appendFileSync(f, lines(50, 60));
    const h2 = await harness(logs, data);
    await h2.fi.poll();
    expect(texts(await h2.drain())).toEqual(expected(50, 60));
    await h2.close();
  });

  it('after a restart, finishes a file that was rotated away while the agent was down', async () => {
    const logs = tmp();
    const data = tmp();
    const f = join(logs, 'a.log');
    writeFileSync(f, lines(0, 5));
    const h1 = await harness(logs, data);
    await h1.fi.poll();
    await h1.drain();
    await h1.close();
    appendFileSync(f, lines(5, 8));
    renameSync(f, join(logs, 'a.log.1'));
    writeFileSync(f, lines(8, 12));
    const h2 = await harness(logs, data);
    await h2.fi.poll();
    expect(texts(await h2.drain())).toEqual(expected(5, 12));
    await h2.close();
  });

  it('a reused inode with other content is read from the start (the fingerprint differs)', async () => {
    const logs = tmp();
    const data = tmp();
    const f = join(logs, 'a.log');
    writeFileSync(f, lines(0, 20));
    const h1 = await harness(logs, data);
    await h1.fi.poll();
    await h1.drain();
    await h1.close();
    // Same inode, rewritten with new content longer than the old offset.
    writeFileSync(f, `${'new '.repeat(100)}\n${lines(100, 140)}`);
    const h2 = await harness(logs, data);
    await h2.fi.poll();
    const got = texts(await h2.drain());
    expect(got[0]).toMatch(/^new new/);
    expect(got.length).toBe(41);
    await h2.close();
  });

  it('startAt: end skips what files held at the very first start, not files that appear later', async () => {
    const logs = tmp();
    writeFileSync(join(logs, 'old.log'), lines(0, 5));
    const h = await harness(logs, tmp(), { startAt: 'end' });
    await h.fi.poll();
    appendFileSync(join(logs, 'old.log'), lines(5, 7));
    writeFileSync(join(logs, 'new.log'), lines(100, 102));
    await h.fi.poll();
    expect(texts(await h.drain()).sort()).toEqual([...expected(5, 7), ...expected(100, 102)].sort());
    await h.close();
  });

  it('JSON lines are parsed; multi-line groups stack traces and flushes the last group after a timeout', async () => {
    const logs = tmp();
    const h = await harness(logs, tmp(), { format: 'json' });
    writeFileSync(join(logs, 'eve.log'), '{"event_type":"alert"}\nnot json\n');
    await h.fi.poll();
    const [a, b] = await h.drain();
    expect(a!.event).toEqual({ event_type: 'alert' });
    expect(b).toMatchObject({ line: 'not json', parseError: expect.any(String) });
    await h.close();

    const logs2 = tmp();
    const m = await harness(logs2, tmp(), { multiline: { start: '^\\d{4}-', timeoutMs: 30 } });
    writeFileSync(join(logs2, 'app.log'), '2026-01-01 E boom\n  at a\n  at b\n2026-01-01 I ok\n');
    await m.fi.poll();
    expect(texts(await m.drain())).toEqual(['2026-01-01 E boom\n  at a\n  at b']);
    await new Promise((r) => setTimeout(r, 40));
    await m.fi.poll();
    expect(texts(await m.drain())).toEqual(['2026-01-01 I ok']);
    await m.close();
  });
});

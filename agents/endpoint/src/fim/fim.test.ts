import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentMessage, DiskBuffer, InputCounters, Output } from '@soc/agent-shared';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { fimInputSchema } from '../config.ts';
import { classify } from './diff.ts';
import { excluder } from './exclude.ts';
import { FimInput } from './fim-input.ts';
import type { FileState } from './state.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'soc-fim-'));
  dirs.push(d);
  return d;
}

/** A FIM input writing to a real disk buffer; `drain()` returns the events it shipped since the last call. */
async function harness(data: string, input: Record<string, unknown>) {
  const buffer = await DiskBuffer.open({
    dir: join(data, 'buffer'),
    maxBytes: 16 * 1024 * 1024,
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
  const cfg = fimInputSchema.parse({ name: 'fim', type: 'fim', realtime: false, settleMs: 50, ...input });
  const fim = new FimInput(cfg, data, output, pino({ level: 'silent' }));
  fim.start();
  await fim.ready;
  const drain = async (): Promise<Array<Record<string, unknown>>> => {
    await output.flush();
    const recs = await buffer.read(1e6, 1e9);
    await buffer.ack(recs);
    return recs.map((r) => (JSON.parse(Buffer.from(r.payload).toString()) as AgentMessage).event!);
  };
  return {
    fim,
    drain,
    close: async () => {
      await fim.stop();
      await buffer.close();
    },
  };
}

const brief = (events: Array<Record<string, unknown>>) =>
  events.map((e) => `${e.action} ${String(e.path).replace(/^.*\/watched/, '')}`).sort();

async function until<T>(fn: () => Promise<T[]>, n: number, ms = 5000): Promise<T[]> {
  const got: T[] = [];
  const deadline = Date.now() + ms;
  while (got.length < n && Date.now() < deadline) {
    got.push(...(await fn()));
    if (got.length < n) await new Promise((r) => setTimeout(r, 50));
  }
  return got;
}

describe('exclude patterns', () => {
  it('match names with * and ?, directories with **, and everything under a matched directory', () => {
    const ex = excluder(['/etc/**/*.swp', '/var/www/cache', '/etc/ssh/ssh_host_?_key', '/srv/*/tmp']);
    expect(ex('/etc/a.swp')).toBe(true);
    expect(ex('/etc/nginx/sites/x.swp')).toBe(true);
    expect(ex('/etc/nginx/x.conf')).toBe(false);
    expect(ex('/var/www/cache/a/b')).toBe(true);
    expect(ex('/var/www/cachet')).toBe(false);
    expect(ex('/etc/ssh/ssh_host_a_key')).toBe(true);
    expect(ex('/etc/ssh/ssh_host_ab_key')).toBe(false);
    expect(ex('/srv/app/tmp/file')).toBe(true);
    expect(ex('/srv/app/x/tmp')).toBe(false);
    expect(excluder([])('/anything')).toBe(false);
  });
});

describe('classify', () => {
  const base: FileState = {
    size: 3,
    mode: '0644',
    uid: 0,
    gid: 0,
    mtime: '2026-01-01T00:00:00.000Z',
    sha256: 'aa',
    mtimeMs: 1,
    ctimeMs: 1,
    ino: 7,
  };
  it('tells content from permissions, and ignores a touch', () => {
    expect(classify(undefined, base)).toBe('created');
    expect(classify(base, undefined)).toBe('deleted');
    expect(classify(base, { ...base, sha256: 'bb' })).toBe('modified');
    expect(classify(base, { ...base, sha256: 'bb', mode: '0600' })).toBe('modified');
    expect(classify(base, { ...base, mode: '0600', ctimeMs: 2 })).toBe('permissions');
    expect(classify(base, { ...base, uid: 1000 })).toBe('permissions');
    expect(classify(base, { ...base, mtimeMs: 5, ctimeMs: 5, mtime: 'x' })).toBeUndefined();
  });
  it('falls back to size and mtime for files too large to hash', () => {
    const { sha256: _, ...big } = base;
    expect(classify(big, { ...big, mtimeMs: 2 })).toBe('modified');
    expect(classify(big, { ...big, ctimeMs: 2 })).toBeUndefined();
  });
});

describe('FimInput', () => {
  it('builds the baseline silently, then reports created, modified, permissions and deleted', async () => {
    const root = tmp();
    const w = join(root, 'watched');
    mkdirSync(join(w, 'sub'), { recursive: true });
    writeFileSync(join(w, 'a.conf'), 'one');
    writeFileSync(join(w, 'sub', 'b.conf'), 'two');
    writeFileSync(join(w, 'gone.conf'), 'three');
    const h = await harness(join(root, 'data'), { paths: [w] });
    expect(await h.drain()).toEqual([]);

    writeFileSync(join(w, 'a.conf'), 'one, changed');
    chmodSync(join(w, 'sub', 'b.conf'), 0o600);
    unlinkSync(join(w, 'gone.conf'));
    writeFileSync(join(w, 'sub', 'new.conf'), 'new');
    await h.fim.scan();
    const events = await h.drain();
    expect(brief(events)).toEqual([
      'created /sub/new.conf',
      'deleted /gone.conf',
      'modified /a.conf',
      'permissions /sub/b.conf',
    ]);
    const modified = events.find((e) => e.action === 'modified')!;
    expect(modified).toMatchObject({
      type: 'fim',
      os: 'linux',
      path: join(w, 'a.conf'),
      size: 12,
      hash: { sha256: createHash('sha256').update('one, changed').digest('hex') },
      previous: { size: 3 },
      uid: process.getuid?.(),
    });
    expect(modified.previous).toMatchObject({
      hash: { sha256: createHash('sha256').update('one').digest('hex') },
    });
    expect(events.find((e) => e.action === 'permissions')).toMatchObject({
      mode: '0600',
      previous: { mode: '0644' },
    });
    const deleted = events.find((e) => e.action === 'deleted')!;
    expect(deleted.size).toBeUndefined();
    expect(deleted.previous).toMatchObject({ size: 5 });
    // Reported once: the baseline took the changes.
    await h.fim.scan();
    expect(await h.drain()).toEqual([]);
    await h.close();
  });

  it('reports after a restart what changed while it was stopped', async () => {
    const root = tmp();
    const w = join(root, 'watched');
    mkdirSync(w);
    writeFileSync(join(w, 'keep'), 'x');
    writeFileSync(join(w, 'edit'), 'x');
    writeFileSync(join(w, 'drop'), 'x');
    const first = await harness(join(root, 'data'), { paths: [w] });
    expect(await first.drain()).toEqual([]);
    await first.close();

    writeFileSync(join(w, 'edit'), 'changed while away');
    unlinkSync(join(w, 'drop'));
    writeFileSync(join(w, 'added'), 'new');
    const second = await harness(join(root, 'data'), { paths: [w] });
    expect(brief(await second.drain())).toEqual(['created /added', 'deleted /drop', 'modified /edit']);
    await second.close();
  });

  it('a first scan cut short by a stop is finished silently on the next start', async () => {
    const root = tmp();
    const w = join(root, 'watched');
    for (let d = 0; d < 20; d++) {
      mkdirSync(join(w, `d${d}`), { recursive: true });
      for (let f = 0; f < 100; f++) writeFileSync(join(w, `d${d}`, `f${f}`), `${d}/${f}`);
    }
    const cfg = fimInputSchema.parse({ name: 'fim', type: 'fim', paths: [w], realtime: false });
    const buffer = await DiskBuffer.open({
      dir: join(root, 'data', 'buffer'),
      maxBytes: 16 * 1024 * 1024,
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
    const cut = new FimInput(cfg, join(root, 'data'), output, pino({ level: 'silent' }));
    cut.start();
    await new Promise((r) => setTimeout(r, 40));
    await cut.stop();
    await buffer.close();
    const h = await harness(join(root, 'data'), { paths: [w] });
    expect(await h.drain()).toEqual([]);
    writeFileSync(join(w, 'd19', 'f99'), 'changed');
    await h.fim.scan();
    expect(brief(await h.drain())).toEqual(['modified /d19/f99']);
    await h.close();
  });

  it('reports a change once when configured paths overlap', async () => {
    const root = tmp();
    const w = join(root, 'watched');
    mkdirSync(join(w, 'ssh'), { recursive: true });
    writeFileSync(join(w, 'ssh', 'sshd_config'), 'PermitRootLogin no\n');
    const h = await harness(join(root, 'data'), {
      paths: [w, join(w, 'ssh'), join(w, 'ssh', 'sshd_config'), w],
    });
    writeFileSync(join(w, 'ssh', 'sshd_config'), 'PermitRootLogin yes\n');
    writeFileSync(join(w, 'ssh', 'new_key'), 'key');
    await h.fim.scan();
    expect(brief(await h.drain())).toEqual(['created /ssh/new_key', 'modified /ssh/sshd_config']);
    await h.close();
  });

  it('reportBaseline reports every file of the first run as created', async () => {
    const root = tmp();
    const w = join(root, 'watched');
    mkdirSync(w);
    writeFileSync(join(w, 'one'), '1');
    const h = await harness(join(root, 'data'), { paths: [w], reportBaseline: true });
    expect(brief(await h.drain())).toEqual(['created /one']);
    await h.close();
  });

  it('leaves out excluded paths, hashes only files up to maxHashBytes, and stops at maxFiles', async () => {
    const root = tmp();
    const w = join(root, 'watched');
    mkdirSync(join(w, 'cache'), { recursive: true });
    const h = await harness(join(root, 'data'), {
      paths: [w],
      exclude: [join(w, 'cache'), join(w, '*.swp')],
      maxHashBytes: 10,
      maxFiles: 3,
    });
    writeFileSync(join(w, 'cache', 'x'), 'x');
    writeFileSync(join(w, '.a.swp'), 'x');
    writeFileSync(join(w, 'big'), 'more than ten bytes');
    writeFileSync(join(w, 'small'), 'tiny');
    await h.fim.scan();
    const events = await h.drain();
    expect(brief(events)).toEqual(['created /big', 'created /small']);
    expect(events.find((e) => String(e.path).endsWith('big'))!.hash).toBeUndefined();
    expect(events.find((e) => String(e.path).endsWith('small'))!.hash).toBeDefined();
    writeFileSync(join(w, 'c'), 'c');
    writeFileSync(join(w, 'd'), 'd');
    await h.fim.scan();
    // Three files at most: the first new one (in name order) is taken, the other is not monitored…
    expect(brief(await h.drain())).toEqual(['created /c']);
    // …while the files already in the baseline still are.
    writeFileSync(join(w, 'small'), 'tiny!');
    writeFileSync(join(w, 'd'), 'still not monitored');
    await h.fim.scan();
    expect(brief(await h.drain())).toEqual(['modified /small']);
    await h.close();
  });

  it('sees changes as they happen with realtime watches, between scans', async () => {
    const root = tmp();
    const w = join(root, 'watched');
    mkdirSync(w);
    writeFileSync(join(w, 'f'), 'x');
    const h = await harness(join(root, 'data'), { paths: [w], realtime: true, scanIntervalS: 3600 });
    writeFileSync(join(w, 'f'), 'changed');
    mkdirSync(join(w, 'newdir'));
    writeFileSync(join(w, 'newdir', 'g'), 'g');
    const got = await until(h.drain, 2);
    expect(brief(got)).toEqual(['created /newdir/g', 'modified /f']);
    // A file created in the new directory is seen through its new watch.
    writeFileSync(join(w, 'newdir', 'h'), 'h');
    expect(brief(await until(h.drain, 1))).toEqual(['created /newdir/h']);
    // The directory removed, then made again: its files deleted, and the new one watched.
    rmSync(join(w, 'newdir'), { recursive: true });
    expect(brief(await until(h.drain, 2))).toEqual(['deleted /newdir/g', 'deleted /newdir/h']);
    mkdirSync(join(w, 'newdir'));
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(join(w, 'newdir', 'again'), 'again');
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(join(w, 'newdir', 'again'), 'again, changed');
    const last = await until(h.drain, 2);
    expect(brief(last)[0]).toBe('created /newdir/again');
    expect(last.map((e) => e.size).at(-1)).toBe(14);
    await h.close();
  });

  it('watches a configured file through its directory, also when an editor replaces it', async () => {
    const root = tmp();
    const w = join(root, 'watched');
    mkdirSync(w);
    writeFileSync(join(w, 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    writeFileSync(join(w, 'other'), 'not monitored');
    const h = await harness(join(root, 'data'), {
      paths: [join(w, 'passwd')],
      realtime: true,
      scanIntervalS: 3600,
    });
    writeFileSync(join(w, 'other'), 'changed');
    writeFileSync(join(w, 'passwd.tmp'), 'root:x:0:0::/root:/bin/sh\nevil:x:0:0::/:/bin/sh\n');
    renameSync(join(w, 'passwd.tmp'), join(w, 'passwd'));
    expect(brief(await until(h.drain, 1))).toEqual(['modified /passwd']);
    // Its neighbour shares the watch but is not monitored: nothing more comes.
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.drain()).toEqual([]);
    await h.close();
  });
});

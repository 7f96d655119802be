/**
 * Cost of file integrity monitoring for a tree of many small files: time and memory of the
 * first scan (hashing every file, building and saving the baseline), of a rescan (stat only:
 * nothing changed), and of a restart (loading the saved baseline, then a rescan).
 *
 *   node --expose-gc --import tsx agents/endpoint/bench/fim.ts [FILES]
 *
 * FILES (default 50000) files of 100 bytes in directories of 500, under a temporary
 * directory that is removed afterwards. One JSON line on stdout: milliseconds, heap after a
 * GC (what the baseline holds), and peak RSS (sampled every 20 ms). Run in its own process
 * per measurement (the restart measurement starts a second input in the same process, so its
 * RSS includes the first one's garbage).
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskBuffer, InputCounters, Output } from '@soc/agent-shared';
import pino from 'pino';
import { fimInputSchema } from '../src/config.ts';
import { FimInput } from '../src/fim/fim-input.ts';

const files = Number(process.argv[2] ?? 50_000);
const dir = mkdtempSync(join(tmpdir(), 'soc-fim-bench-'));
const tree = join(dir, 'tree');
for (let i = 0; i < files; i++) {
  const sub = join(tree, `pkg${Math.floor(i / 500)}`);
  if (i % 500 === 0) mkdirSync(sub, { recursive: true });
  writeFileSync(join(sub, `file-${i}.conf`), 'x'.repeat(100));
}

let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => {
  gc?.();
  return Math.round(process.memoryUsage().heapUsed / 1e5) / 10;
};

async function run(): Promise<{ ready: number; rescan: number; heap: number; stop: () => Promise<void> }> {
  const buffer = await DiskBuffer.open({
    dir: join(dir, 'data', 'buffer'),
    maxBytes: 64 * 1024 ** 2,
    segmentBytes: 1024 ** 2,
    fsync: 'never',
    fsyncIntervalMs: 100,
    whenFull: 'drop_oldest',
    stateIntervalMs: 1000,
  });
  const output = new Output({
    agentId: 'bench',
    hostName: 'h',
    buffer,
    counters: new InputCounters(),
    appendMaxEvents: 1000,
    appendLingerMs: 1,
    maxPendingBytes: 1024 ** 2,
  });
  const cfg = fimInputSchema.parse({
    name: 'fim',
    type: 'fim',
    paths: [tree],
    realtime: false,
    maxFiles: files,
  });
  const fim = new FimInput(cfg, join(dir, 'data'), output, pino({ level: 'silent' }));
  const t0 = performance.now();
  fim.start();
  await fim.ready;
  const t1 = performance.now();
  await fim.scan();
  const t2 = performance.now();
  return {
    ready: Math.round(t1 - t0),
    rescan: Math.round(t2 - t1),
    heap: heapMb(),
    stop: async () => {
      await fim.stop();
      await buffer.close();
    },
  };
}

const first = await run();
await first.stop();
const restart = await run();
await restart.stop();
clearInterval(sampler);
const baselineBytes = statSync(join(dir, 'data', 'fim', 'fim.json')).size;
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    files,
    firstScanMs: first.ready,
    rescanMs: first.rescan,
    restartCompareMs: restart.ready,
    heapMb: first.heap,
    peakRssMb: Math.round(peak / 1e6),
    baselineMb: Math.round(baselineBytes / 1e5) / 10,
  }),
);

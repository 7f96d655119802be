/**
 * `npm run bench:ingest`: sustained events/s from JetStream to searchable documents, next to a
 * direct `_bulk` loader sending the same documents to the same node in the same run, and with
 * 1, 2 and 4 ingest processes sharing the consumer. Prints JSON (the script makes Markdown).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import { connect, headers } from '@nats-io/transport-node';
import { createLogger, ensureDurable, ensureStream, jetstream, jetstreamManager } from '@soc/core';
import { normalize } from '@soc/normalize';
import { BulkWriter } from '../bulk.ts';
import { ingestSchema } from '../config.ts';
import { ensureLayout, eventsIndex } from '../layout.ts';
import { benchMessages } from './corpus.ts';

const ROOT = resolve(import.meta.dirname, '../../../..');
const N = Number(process.env.BENCH_EVENTS ?? 200_000);
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const esUrl = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
const es = new Client({ node: esUrl, requestTimeout: 120_000 });
const logger = createLogger({ service: 'bench-ingest', level: 'warn' });
const tag = `${Date.now().toString(36)}`;
const messages = benchMessages(N);
const payloads = messages.map((m) => JSON.stringify(m));

/** Documents Elasticsearch has indexed into the alias's indices so far (counted as indexed, before any refresh). */
async function indexed(alias: string): Promise<number> {
  const st = await es.indices.stats({ index: alias, metric: 'indexing' }).catch(() => undefined);
  return st?._all?.primaries?.indexing?.index_total ?? 0;
}

/**
 * Waits until `n` documents are searchable and returns the sustained rate: documents indexed per
 * second between the first sample at or past 20 % of `n` and the first at or past 90 % (from
 * the indexing statistics, which a refresh does not quantise). That leaves out the ramp (a fresh
 * process's JIT warm-up, the first batch filling) and the last refresh interval, which the
 * whole-run figure includes.
 */
async function searchable(alias: string, n: number, timeoutMs = 600_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let from: { t: number; c: number } | undefined;
  let to: { t: number; c: number } | undefined;
  while (Date.now() < deadline) {
    if (!to) {
      const c = await indexed(alias);
      const t = performance.now();
      if (!from && c >= 0.2 * n) from = { t, c };
      if (!to && c >= 0.9 * n) to = { t, c };
    }
    // Not forcing a refresh: "searchable" as a user sees it, after the 1 s refresh interval.
    const c = await es
      .count({ index: alias, ignore_unavailable: true, allow_no_indices: true })
      .catch(() => ({ count: 0 }));
    if (c.count >= n)
      return from && to && to.t > from.t ? ((to.c - from.c) * 1000) / (to.t - from.t) : Number.NaN;
    await sleep(50);
  }
  throw new Error(`${alias}: fewer than ${n} documents after ${timeoutMs} ms`);
}

async function cleanup(prefix: string): Promise<void> {
  const indices = await es.indices.get({
    index: `${prefix}-*`,
    ignore_unavailable: true,
    allow_no_indices: true,
  });
  for (const index of Object.keys(indices)) await es.indices.delete({ index });
  await es.indices.deleteIndexTemplate({ name: `${prefix}-*` }).catch(() => undefined);
  await es.cluster.deleteComponentTemplate({ name: `${prefix}-*` }).catch(() => undefined);
}

/** The direct loader: the same documents, normalised beforehand, the same bulk size and concurrency. */
async function direct(label: string) {
  const prefix = `bench-direct-${label.replace(/\W+/g, '')}-${tag}`;
  const config = ingestSchema.parse({ indices: { prefix } });
  await ensureLayout(es, config);
  const docs = payloads.map((p) => {
    const r = normalize(p, {});
    if (!r.ok) throw new Error('bench corpus must normalise');
    return {
      index: eventsIndex(prefix, 180, Date.parse(String(r.doc['@timestamp']))),
      id: r.id,
      source: JSON.stringify(r.doc),
    };
  });
  const writer = new BulkWriter(es, config.retry, logger);
  const t0 = performance.now();
  // Watched while the writes run, as the ingest runs are.
  const watch = searchable(`${prefix}-events`, N);
  let next = 0;
  const size = config.batch.maxDocs;
  const worker = async () => {
    while (next < docs.length) {
      const slice = docs.slice(next, next + size);
      next += size;
      const out = await writer.write(slice);
      if (out.some((o) => o.status === 'rejected')) throw new Error('direct loader: a document was rejected');
    }
  };
  await Promise.all(Array.from({ length: config.batch.concurrency }, worker));
  const sustained = await watch;
  const s = (performance.now() - t0) / 1000;
  await cleanup(prefix);
  return { label: `direct _bulk (${label})`, events: N, seconds: s, perSecond: N / s, sustained };
}

async function viaIngest(processes: number) {
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const prefix = `bench-ingest-${processes}-${tag}`;
  const stream = `BENCH_${tag}_${processes}`.toUpperCase();
  const subjectPrefix = `bench-${tag}-${processes}`;
  await ensureStream(jsm, { name: stream, subjects: [`${subjectPrefix}.>`] });
  await ensureDurable(jsm, stream, {
    durable_name: 'ingest',
    filter_subject: `${subjectPrefix}.>`,
    max_deliver: -1,
    max_ack_pending: 50_000,
  });
  // The backlog is in the stream before the clock starts: what is measured is ingest alone.
  for (let i = 0; i < payloads.length; i += 1000) {
    await Promise.all(
      payloads.slice(i, i + 1000).map((p, k) => {
        const h = headers();
        h.set('Nats-Msg-Id', messages[i + k]!.id);
        return js.publish(`${subjectPrefix}.bench.${messages[i + k]!.input}`, p, { headers: h });
      }),
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'soc-bench-'));
  const file = join(dir, 'ingest.json');
  writeFileSync(
    file,
    JSON.stringify({
      log: { level: 'warn' },
      ingest: {
        stream,
        consumer: 'ingest',
        filterSubject: `${subjectPrefix}.>`,
        ensureStream: false,
        indices: { prefix },
        retention: { intervalS: 0 },
      },
    }),
  );
  const children: ChildProcess[] = [];
  for (let i = 0; i < processes; i++)
    children.push(
      spawn(
        process.execPath,
        [
          ...profile(),
          ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
          '--import',
          'tsx',
          join(ROOT, 'services/ingest/src/main.ts'),
        ],
        {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH,
            NATS_URL: natsUrl,
            ELASTICSEARCH_URL: esUrl,
            SOC_CONFIG: file,
            SOC_HTTP__PORT: '0',
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      ),
    );
  let s: number;
  let sustained: number;
  try {
    // The clock starts at the first delivery (process start-up is not throughput).
    let info = await jsm.consumers.info(stream, 'ingest');
    while (info.delivered.stream_seq === 0) {
      await sleep(20);
      info = await jsm.consumers.info(stream, 'ingest');
    }
    const t0 = performance.now();
    sustained = await searchable(`${prefix}-events`, N);
    s = (performance.now() - t0) / 1000;
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
    );
    await jsm.streams.delete(stream);
    await cleanup(prefix);
    await nc.close();
  }
  return { label: `JetStream → ingest × ${processes}`, events: N, seconds: s, perSecond: N / s, sustained };
}

/** `BENCH_CPU_PROF=DIR`: each ingest process writes a CPU profile there (`node --cpu-prof`). */
function profile(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

// Rounds of (direct, ingest × 1) pairs: Elasticsearch's speed drifts over a run (JIT, merges),
// so each ingest run has a direct run beside it; then the other process counts, then direct again.
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const results = [];
for (let i = 1; i <= rounds; i++) {
  results.push(await direct(`round ${i}`));
  results.push(await viaIngest(1));
}
for (const k of (process.env.BENCH_PROCESSES ?? '2,4').split(',').filter(Boolean).map(Number))
  results.push(await viaIngest(k));
results.push(await direct('last'));
console.log(JSON.stringify({ events: N, results }));
await es.close();

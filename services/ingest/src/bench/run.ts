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

async function searchable(alias: string, n: number, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Not forcing a refresh: "searchable" as a user sees it, after the 1 s refresh interval.
  while (Date.now() < deadline) {
    const c = await es
      .count({ index: alias, ignore_unavailable: true, allow_no_indices: true })
      .catch(() => ({ count: 0 }));
    if (c.count >= n) return;
    await sleep(100);
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
  const prefix = `bench-direct-${label}-${tag}`;
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
  await searchable(`${prefix}-events`, N);
  const s = (performance.now() - t0) / 1000;
  await cleanup(prefix);
  return { label: `direct _bulk (${label})`, events: N, seconds: s, perSecond: N / s };
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
  try {
    // The clock starts at the first delivery (process start-up is not throughput).
    let info = await jsm.consumers.info(stream, 'ingest');
    while (info.delivered.stream_seq === 0) {
      await sleep(20);
      info = await jsm.consumers.info(stream, 'ingest');
    }
    const t0 = performance.now();
    await searchable(`${prefix}-events`, N);
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
  return { label: `JetStream → ingest × ${processes}`, events: N, seconds: s, perSecond: N / s };
}

/** `BENCH_CPU_PROF=DIR`: each ingest process writes a CPU profile there (`node --cpu-prof`). */
function profile(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

const results = [];
results.push(await direct('before'));
for (const k of (process.env.BENCH_PROCESSES ?? '1,2,4').split(',').map(Number))
  results.push(await viaIngest(k));
results.push(await direct('after'));
console.log(JSON.stringify({ events: N, results }));
await es.close();

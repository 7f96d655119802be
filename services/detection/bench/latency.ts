/**
 * `npm run bench:detection`: latency from an event published on the TELEMETRY stream to its
 * alert being searchable in Elasticsearch, at fixed rates, with the project's rules and the
 * SigmaHQ Windows pack loaded in a detection process of its own.
 *
 * Traffic: Windows events varied from the SigmaHQ regression samples (the engine bench's
 * generator: mostly benign values, near misses, some true positives — so SigmaHQ rules fire
 * and alerts are written all along), shipped as agent messages. Among them, 10 markers per
 * second: an encoded-PowerShell process creation on a host of its own, so each raises a new
 * alert. A poller searches the alerts for the markers' event ids every 25 ms; a marker's
 * latency is when its alert was first found minus when it was published.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import { connect, headers } from '@nats-io/transport-node';
import { buildMessage } from '@soc/agent-shared';
import { type Alert, jetstream, jetstreamManager, socIndices, TELEMETRY_STREAM } from '@soc/core';
import { normalize } from '@soc/normalize';
import { mutateEvent, parseJsonValues } from '@soc/sigma';
import { evaluateLocally } from '../src/local.ts';
import { pipelineFor, RuleSet, readRuleFiles } from '../src/ruleset.ts';
import { createLane, DetectionProcess, deleteLane, lane } from '../test/harness.ts';
import { ROOT } from '../test/starter.ts';

const RATES = (process.env.RATES ?? '1000,5000').split(',').map(Number);
const SECONDS = Number(process.env.SECONDS ?? 30);
const MARKERS_PER_S = 10;
/**
 * `quiet`: background events that match no rule (variants the rules leave alone, found by
 * evaluating them here first) — a SOC's normal day, alerts only from the markers. `storm`: the
 * engine bench's mix as generated, where about half the events match some SigmaHQ rule and
 * hundreds of alerts are written per second.
 */
const MIX = process.env.MIX ?? 'quiet';
/** Detection processes sharing the consumer (the first owns the correlation partition). */
const PROCESSES = Number(process.env.PROCESSES ?? 1);
const corpus = resolve(process.env.SIGMA_CORPUS ?? join(ROOT, '../shared/sigmahq'));

function urls(): { natsUrl: string; elasticsearchUrl: string } {
  if (process.env.NATS_URL && process.env.ELASTICSEARCH_URL)
    return { natsUrl: process.env.NATS_URL, elasticsearchUrl: process.env.ELASTICSEARCH_URL };
  const out = execFileSync(
    process.execPath,
    [join(ROOT, 'services/cli/bin/soc.js'), 'stack', 'up', '--json'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').pop()!);
}

/** Variants of the samples that raise nothing with these rules (the quiet mix's background). */
function quietPool(pool: unknown[], rs: RuleSet, n: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; out.length < n && i < n * 20; i++) {
    const event = mutateEvent(pool[i % pool.length], 20_000_000 + i) as Record<string, unknown>;
    const r = normalize(JSON.stringify(buildMessage('probe', 'ws-bench', 'winlog', i + 1, { event })));
    if (r.ok && evaluateLocally(rs, [r.doc as Record<string, unknown>]).length === 0) out.push(event);
  }
  return out;
}

function samples(): unknown[] {
  const out: unknown[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.json')) out.push(...parseJsonValues(readFileSync(join(d, e.name), 'utf8')));
    }
  };
  walk(join(corpus, 'regression_data'));
  return out;
}

function marker(k: number): Record<string, unknown> {
  return {
    '@timestamp': new Date().toISOString(),
    winlog: {
      channel: 'Microsoft-Windows-Sysmon/Operational',
      event_id: 1,
      provider_name: 'Microsoft-Windows-Sysmon',
      computer_name: `bench-${k}.ubnd.gov.vn`,
      event_data: {
        Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
        OriginalFileName: 'PowerShell.EXE',
        CommandLine: `powershell.exe -NoP -W Hidden -enc ${Buffer.from(`marker ${k}`, 'utf16le').toString('base64')}`,
        ParentImage: 'C:\\Windows\\System32\\cmd.exe',
        User: 'UBND\\bench',
        ProcessId: String(4000 + k),
      },
    },
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};

async function run(
  rate: number,
  pool: unknown[],
  quiet: Record<string, unknown>[] | undefined,
  u: { natsUrl: string; elasticsearchUrl: string },
) {
  const nc = await connect({ servers: u.natsUrl });
  const es = new Client({ node: u.elasticsearchUrl });
  const l = lane(`bench-det-${rate}`);
  await createLane(nc, l);
  const config = {
    ...l.config,
    ackWaitS: 30,
    batch: { maxEvents: Number(process.env.BATCH ?? 250), flushMs: 50 },
    rules: { paths: ['rules/sigma', join(corpus, 'rules/windows')] },
  };
  const procs = Array.from(
    { length: PROCESSES },
    (_, i) =>
      new DetectionProcess(u.natsUrl, u.elasticsearchUrl, {
        ...config,
        correlation: { ...(config.correlation as object), owned: i === 0 ? [0] : [] },
      }),
  );
  const proc = procs[0]!;
  const jsm = await jetstreamManager(nc);
  const c = config as { consumer: string };
  const loadStart = Date.now();
  for (;;) {
    if (procs.some((p) => p.child.exitCode !== null)) throw new Error(`detection exited: ${proc.output}`);
    if (await jsm.consumers.info(TELEMETRY_STREAM.name, c.consumer).catch(() => null)) break;
    await sleep(200);
  }
  const loadS = (Date.now() - loadStart) / 1000;
  const js = jetstream(nc);
  // Warm-up, not measured: the engine builds its per-source pre-filter on the first events.
  let seq = 0;
  await Promise.all(
    Array.from({ length: 3000 }, (_, i) => {
      const msg = buildMessage(l.agent, 'ws-bench', 'winlog', ++seq, {
        event: quiet
          ? quiet[i % quiet.length]!
          : (mutateEvent(pool[i % pool.length], 10_000_000 + i) as Record<string, unknown>),
      });
      return js.publish(`telemetry.${l.agent}.winlog`, JSON.stringify(msg));
    }),
  );
  for (;;) {
    const i = await jsm.consumers.info(TELEMETRY_STREAM.name, c.consumer);
    if (i.num_pending + i.num_ack_pending === 0) break;
    await sleep(200);
  }
  const index = socIndices(l.prefix).alerts;
  const published = new Map<string, number>();
  const found = new Map<string, number>();
  let polling = true;
  const poller = (async () => {
    while (polling || found.size < published.size) {
      const open = [...published.keys()].filter((id) => !found.has(id));
      if (open.length) {
        const r = await es
          .search<Alert>({
            index,
            size: open.length,
            _source: ['events.ids'],
            query: { terms: { 'events.ids': open } },
          })
          .catch(() => null);
        const now = Date.now();
        for (const h of r?.hits.hits ?? [])
          for (const id of h._source?.events.ids ?? [])
            if (published.has(id) && !found.has(id)) found.set(id, now);
      }
      if (!polling && Date.now() > endAt + 30_000) break;
      await sleep(25);
    }
  })();
  let endAt = Number.POSITIVE_INFINITY;
  let sent = 0;
  let markers = 0;
  const inflight = new Set<Promise<unknown>>();
  const t0 = Date.now();
  const total = rate * SECONDS;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * rate));
    while (sent < due) {
      const isMarker =
        Math.floor((sent * MARKERS_PER_S) / rate) !== Math.floor(((sent + 1) * MARKERS_PER_S) / rate);
      const event = isMarker
        ? marker(markers++)
        : quiet
          ? quiet[sent % quiet.length]!
          : (mutateEvent(pool[sent % pool.length], sent) as Record<string, unknown>);
      const msg = buildMessage(l.agent, 'ws-bench', 'winlog', ++seq, { event });
      const h = headers();
      h.set('Nats-Msg-Id', msg.id);
      if (isMarker) published.set(msg.id, Date.now());
      const p = js.publish(`telemetry.${l.agent}.winlog`, JSON.stringify(msg), { headers: h });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      sent++;
      if (inflight.size > 5_000) await Promise.race(inflight);
    }
    await sleep(5);
  }
  await Promise.all(inflight);
  const achieved = total / ((Date.now() - t0) / 1000);
  endAt = Date.now();
  polling = false;
  await poller;
  const lat = [...published].filter(([id]) => found.has(id)).map(([id, t]) => found.get(id)! - t);
  const info = await jsm.consumers.info(TELEMETRY_STREAM.name, c.consumer);
  const slow = procs.flatMap((p) => p.output.split('\n')).filter((x) => x.includes('slow batch'));
  if (slow.length) console.error(`${slow.length} slow batches (> 1 s), e.g. ${slow.at(-1)}`);
  for (const p of procs) await p.stop();
  await deleteLane(nc, es, l);
  await es.close();
  await nc.close();
  return {
    rate,
    achieved,
    markers: published.size,
    missing: published.size - lat.length,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    max: Math.max(...lat),
    loadS,
    backlog: info.num_pending,
  };
}

const u = urls();
if (!existsSync(join(corpus, 'rules/windows'))) {
  console.error(`no SigmaHQ corpus at ${corpus}; set SIGMA_CORPUS`);
  process.exit(3);
}
const pool = samples();
let quiet: Record<string, unknown>[] | undefined;
if (MIX === 'quiet') {
  const rs = new RuleSet(pipelineFor('ecs'), {
    files: readRuleFiles([join(ROOT, 'rules/sigma'), join(corpus, 'rules/windows')]).documents,
    states: [],
  });
  quiet = quietPool(pool, rs, 5_000);
}
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )}; ${SECONDS} s per rate, ${MARKERS_PER_S} markers/s, ${PROCESSES} detection process(es), ${MIX} mix${quiet ? ` (${quiet.length} distinct background events that match no rule)` : ''}; rules: rules/sigma + ${corpus}/rules/windows\n`,
);
console.log(
  '| events/s (target) | achieved | markers | missing | p50 ms | p99 ms | max ms | backlog at end | rules load s |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const rate of RATES) {
  const r = await run(rate, pool, quiet, u);
  console.log(
    `| ${rate.toLocaleString('en')} | ${Math.round(r.achieved).toLocaleString('en')} | ${r.markers} | ${r.missing} | ${r.p50} | ${r.p99} | ${r.max} | ${r.backlog} | ${r.loadS.toFixed(1)} |`,
  );
}
process.exit(0);

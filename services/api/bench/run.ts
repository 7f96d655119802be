/**
 * `npm run bench:api`: the API under load with generated data — the alert queue and event
 * search at 50 concurrent clients (autocannon), p50/p95/p99 from every response time.
 *
 * The API runs as its own process (`services/api/src/main.ts`, as `soc start` runs it); this
 * process generates the data once (kept in `apibench-*` indices and reused while the counts
 * match) and drives the load. Prints Markdown rows for BENCHMARKS.md, with the CPU time the
 * API process and Elasticsearch spent per request (on a shared machine latency measures the
 * neighbours as much as the code; CPU per request does not, or much less).
 *
 * Environment: ELASTICSEARCH_URL, NATS_URL (the stack), BENCH_ALERTS (default 1,000,000),
 * BENCH_EVENTS (default 2,000,000), BENCH_DURATION_S (default 20), BENCH_CONNECTIONS (50),
 * BENCH_REGENERATE=1 to rebuild the data, BENCH_ONLY=<text> to run only the scenarios whose
 * name contains it (e.g. `alert queue`), BENCH_CPU_PROF=<dir> to write the API process's CPU
 * profile there (`node --cpu-prof`, written when it exits).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { ALERT_INDEX_SORT, type Alert, levelRank, socIndices, withSeverityRank } from '@soc/core';
import autocannon from 'autocannon';
import { hashPassword } from '../src/auth/passwords.ts';
import { ensureIndices } from '../src/store/es.ts';

const ES_URL = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const N_ALERTS = Number(process.env.BENCH_ALERTS ?? 1_000_000);
const N_EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000_000);
const DURATION = Number(process.env.BENCH_DURATION_S ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ONLY = process.env.BENCH_ONLY ?? '';
const CPU_PROF = process.env.BENCH_CPU_PROF;
const PREFIX = 'apibench';
const ORGS = 20;
const PORT = 18080 + Math.floor(Math.random() * 1000);
const ix = socIndices(PREFIX);
const EVENTS_INDEX = `${PREFIX}-events-bench`;
const es = new Client({ node: ES_URL, requestTimeout: 600_000 });

const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
const STATUSES = ['open', 'open', 'open', 'acknowledged', 'closed'] as const;
const ACTIONS = ['login', 'logout', 'process-start', 'file-create', 'network-connect', 'dns-query'];
const WORDS = [
  'failed',
  'accepted',
  'password',
  'session',
  'opened',
  'closed',
  'denied',
  'sudo',
  'sshd',
  'powershell',
  'cmd',
  'curl',
];
const DAY = 86_400_000;

/** A small deterministic generator, so two runs index the same data. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function count(index: string): Promise<number> {
  try {
    return (await es.count({ index })).count;
  } catch {
    return -1;
  }
}

/** Index sorting is fixed at creation: alerts generated into an index made before it changed are rebuilt. */
async function sortedAsNow(index: string): Promise<boolean> {
  const settings = Object.values(await es.indices.getSettings({ index }))[0]?.settings;
  const sort = settings?.index?.sort as { field?: unknown; order?: unknown } | undefined;
  return (
    JSON.stringify([sort?.field, sort?.order]) ===
    JSON.stringify([ALERT_INDEX_SORT.field, ALERT_INDEX_SORT.order])
  );
}

async function load(index: string, n: number, doc: (i: number, r: () => number) => object): Promise<number> {
  const t0 = Date.now();
  const r = rng(42);
  let i = 0;
  await es.indices.putSettings({ index, settings: { refresh_interval: '-1' } });
  const result = await es.helpers.bulk({
    datasource: (async function* () {
      for (; i < n; i++) yield doc(i, r);
    })(),
    onDocument: () => ({ index: { _index: index } }),
    flushBytes: 5_000_000,
    concurrency: 2,
    refreshOnCompletion: false,
  });
  if (result.failed) throw new Error(`${result.failed} documents failed to index`);
  await es.indices.putSettings({ index, settings: { refresh_interval: '1s' } });
  await es.indices.refresh({ index });
  return (Date.now() - t0) / 1000;
}

function alert(i: number, r: () => number): Alert {
  const org = Math.floor(r() * ORGS);
  const lvl = LEVELS[Math.floor(r() * 5)]!;
  const t = new Date(Date.now() - Math.floor(r() * 30 * DAY)).toISOString();
  const rule = Math.floor(r() * 500);
  const status = STATUSES[Math.floor(r() * 5)]!;
  // As detection writes it: with the severity view's sort key.
  return withSeverityRank({
    id: `a${i}`,
    '@timestamp': t,
    rule: {
      id: `rule-${rule}`,
      title: `Rule ${rule} ${WORDS[rule % WORDS.length]}`,
      level: lvl,
      severity: levelRank(lvl),
      tags: ['attack.t1059'],
      attack: { techniques: ['T1059'], tactics: ['execution'] },
    },
    events: { ids: [`ev-${i}`] },
    fields: { process: { command_line: 'powershell -enc AAAA' } },
    entities: {
      host: { name: `host-${org}-${Math.floor(r() * 200)}` },
      user: { name: `user${Math.floor(r() * 1000)}` },
      source: { ip: `10.${org}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}` },
    },
    organization: { id: `org-${org}` },
    system: { id: `sys-${org}-${Math.floor(r() * 5)}` },
    security_level: 1 + Math.floor(r() * 5),
    first_seen: t,
    last_seen: t,
    count: 1 + Math.floor(r() * 20),
    status,
    ...(status === 'closed' ? { close_reason: 'false_positive' as const } : {}),
    retro: false,
  });
}

function event(i: number, r: () => number): object {
  const org = Math.floor(r() * ORGS);
  const w = () => WORDS[Math.floor(r() * WORDS.length)]!;
  return {
    '@timestamp': new Date(Date.now() - Math.floor(r() * 7 * DAY)).toISOString(),
    message: `${w()} ${w()} ${w()} for user${Math.floor(r() * 1000)} from 10.${org}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`,
    event: { action: ACTIONS[Math.floor(r() * ACTIONS.length)], id: `e${i}` },
    host: { name: `host-${org}-${Math.floor(r() * 200)}` },
    user: { name: `user${Math.floor(r() * 1000)}` },
    source: { ip: `10.${org}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}` },
    soc: {
      organization: { id: `org-${org}` },
      system: { id: `sys-${org}-${Math.floor(r() * 5)}` },
      security_level: 1 + Math.floor(r() * 5),
    },
  };
}

const EVENT_MAPPING = {
  properties: {
    '@timestamp': { type: 'date' },
    message: { type: 'text' },
    event: { properties: { action: { type: 'keyword' }, id: { type: 'keyword' } } },
    host: { properties: { name: { type: 'keyword' } } },
    user: { properties: { name: { type: 'keyword' } } },
    source: { properties: { ip: { type: 'ip' } } },
    soc: {
      properties: {
        organization: { properties: { id: { type: 'keyword' } } },
        system: { properties: { id: { type: 'keyword' } } },
        security_level: { type: 'byte' },
      },
    },
  },
};

async function prepare(): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  if (process.env.BENCH_REGENERATE)
    await es.indices.delete({ index: `${PREFIX}-*`, ignore_unavailable: true } as never);
  await ensureIndices(es, ix);
  if ((await count(ix.alerts)) !== N_ALERTS || !(await sortedAsNow(ix.alertsConcrete))) {
    await es.indices.delete({ index: ix.alertsConcrete, ignore_unavailable: true });
    await ensureIndices(es, ix);
    process.stderr.write(`generating ${N_ALERTS} alerts…\n`);
    timings.alerts = await load(ix.alertsConcrete, N_ALERTS, alert);
  }
  if ((await count(EVENTS_INDEX)) !== N_EVENTS) {
    await es.indices.delete({ index: EVENTS_INDEX, ignore_unavailable: true });
    await es.indices.create({
      index: EVENTS_INDEX,
      mappings: EVENT_MAPPING as never,
      aliases: { [`${PREFIX}-events`]: {} },
      settings: { number_of_replicas: 0, number_of_shards: 1 },
    });
    process.stderr.write(`generating ${N_EVENTS} events…\n`);
    timings.events = await load(EVENTS_INDEX, N_EVENTS, event);
  }
  const now = new Date().toISOString();
  const hash = await hashPassword(PASSWORD);
  for (const [id, orgs, all] of [
    ['scoped@bench.local', ['org-3'], false],
    ['all@bench.local', [], true],
  ] as const)
    await es.index({
      index: ix.users,
      id,
      refresh: true,
      document: {
        id,
        email: id,
        name: id,
        password_hash: hash,
        roles: ['analyst'],
        organizations: orgs,
        all_organizations: all,
        disabled: false,
        failed_logins: 0,
        created_at: now,
        updated_at: now,
      },
    });
  return timings;
}

const PASSWORD = randomBytes(12).toString('hex');

async function startApi(): Promise<ChildProcess> {
  const root = join(import.meta.dirname, '..', '..', '..');
  const prof = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
  const child = spawn(
    process.execPath,
    [...prof, '--import', 'tsx', join(root, 'services/api/src/main.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        ELASTICSEARCH_URL: ES_URL,
        NATS_URL,
        SOC_HTTP__PORT: String(PORT),
        SOC_API__INDEX_PREFIX: PREFIX,
        SOC_API__EVENTS_INDEX: `${PREFIX}-events`,
        SOC_API__SECRET: randomBytes(32).toString('hex'),
        SOC_LOG__LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/readyz`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error('the API did not become ready');
}

async function login(email: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${PORT}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

interface Scenario {
  name: string;
  token: string;
  method: 'GET' | 'POST';
  path: string;
  body?: object;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * CPU time used so far, in ms, by the API process (Linux /proc, clock ticks of 10 ms) and by
 * Elasticsearch (its own process counter): per request, a cost the other work on a shared
 * machine does not inflate the way it inflates latency.
 */
async function cpuMs(pid: number | undefined): Promise<{ api: number; es: number }> {
  let api = Number.NaN;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    api = (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    // not Linux: no per-process figure
  }
  const stats = await es.nodes.stats({ metric: 'process' });
  const es_ = Object.values(stats.nodes).reduce((n, x) => n + (x.process?.cpu?.total_in_millis ?? 0), 0);
  return { api, es: es_ };
}

async function measure(s: Scenario, pid?: number) {
  const cpu0 = await cpuMs(pid);
  const times: number[] = [];
  let non2xx = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${PORT}${s.path}`,
    method: s.method,
    connections: CONNECTIONS,
    duration: DURATION,
    headers: {
      authorization: `Bearer ${s.token}`,
      ...(s.body ? { 'content-type': 'application/json' } : {}),
    },
    ...(s.body ? { body: JSON.stringify(s.body) } : {}),
    setupClient: (client: { on(ev: string, fn: (...a: number[]) => void): void }) => {
      client.on('response', (status: number, _bytes: number, responseTime: number) => {
        times.push(responseTime);
        if (status < 200 || status >= 300) non2xx++;
      });
    },
  } as never);
  const cpu1 = await cpuMs(pid);
  times.sort((a, b) => a - b);
  return {
    apiCpu: (cpu1.api - cpu0.api) / times.length,
    esCpu: (cpu1.es - cpu0.es) / times.length,
    name: s.name,
    requests: times.length,
    rps: Math.round(result.requests.average),
    p50: pct(times, 50),
    p95: pct(times, 95),
    p99: pct(times, 99),
    non2xx,
  };
}

const timings = await prepare();
const api = await startApi();
try {
  const scoped = await login('scoped@bench.local');
  const all = await login('all@bench.local');
  const scenarios: Scenario[] = [
    {
      name: 'alert queue: open, newest first, 50/page — one organisation (≈5% of alerts)',
      token: scoped,
      method: 'GET',
      path: '/api/v1/alerts?status=open&sort=last_seen&size=50',
    },
    {
      name: 'alert queue: open, newest first, 50/page — every organisation',
      token: all,
      method: 'GET',
      path: '/api/v1/alerts?status=open&sort=last_seen&size=50',
    },
    {
      name: 'alert queue: high+critical by severity, 50/page — every organisation',
      token: all,
      method: 'GET',
      path: '/api/v1/alerts?status=open,acknowledged&level=high,critical&sort=severity&size=50',
    },
    {
      name: 'event search: text "failed password", last 24 h, 50 newest — one organisation',
      token: scoped,
      method: 'POST',
      path: '/api/v1/events/search',
      body: { query: 'failed password', from: 'now-24h', size: 50 },
    },
    {
      name: 'event search: text + host filter, last 7 d, 50 newest — every organisation',
      token: all,
      method: 'POST',
      path: '/api/v1/events/search',
      body: {
        query: 'sudo',
        filters: [{ field: 'event.action', op: 'eq', value: 'login' }],
        from: 'now-7d',
        size: 50,
      },
    },
  ];
  const rows: string[] = [];
  for (const s of scenarios.filter((x) => x.name.includes(ONLY))) {
    process.stderr.write(`${s.name}…\n`);
    const m = await measure(s, api.pid);
    rows.push(
      `| ${m.name} | ${m.requests} | ${m.rps} | ${m.p50.toFixed(0)} | ${m.p95.toFixed(0)} | ${m.p99.toFixed(0)} | ${m.non2xx} | ${m.apiCpu.toFixed(2)} | ${m.esCpu.toFixed(2)} |`,
    );
  }
  const info = `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )} at the end (machine shared with other benchmarks); ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}, ${CONNECTIONS} connections, ${DURATION} s per row, ${N_ALERTS.toLocaleString('en')} alerts, ${N_EVENTS.toLocaleString('en')} events${
    Object.keys(timings).length
      ? `; generated in ${Object.entries(timings)
          .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
          .join(', ')}`
      : ''
  }`;
  console.log(`\n${info}\n`);
  console.log(
    '| scenario | requests | req/s | p50 ms | p95 ms | p99 ms | non-2xx | API CPU ms/req | ES CPU ms/req |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
} finally {
  api.kill('SIGTERM');
  await es.close();
}

/**
 * Footprint of the endpoint agent next to rsyslog (issue 4): both tail the same file, written
 * at a steady rate with sshd and nginx lines, at the same time; the agent ships it to JetStream
 * at NATS_URL, rsyslog (imfile → omfwd over TCP) to a line-counting TCP sink in this process.
 * Each runs in its own process with its own configuration in a temporary directory: the agent
 * as the systemd unit runs it (the bundle, with the unit's Node flags), rsyslogd with
 * `-n -f CONF -i PIDFILE` (no system instance involved).
 *
 *   NATS_URL=nats://127.0.0.1:4222 node --import tsx agents/endpoint/bench/footprint.ts
 *
 * (`npm run bench:agent` builds the bundle, installs rsyslog and brings the stack up first.)
 * Environment: BENCH_AGENT_RATES (lines/s, default "1000,10000"), BENCH_AGENT_SECONDS (steady
 * period measured, default 60), BENCH_AGENT_WARMUP_S (written but not measured, default 10),
 * BENCH_AGENT_WINDOW_S (CPU sample window, default 5), BENCH_AGENT_RSYSLOG=0 (agent only),
 * BENCH_AGENT_CPU_PROF=DIR (`--cpu-prof` the agent into DIR), BENCH_AGENT_EXTRA_CONFIG (YAML
 * lines added to the agent's configuration), BENCH_AGENT_ENTRY / BENCH_AGENT_NODE_FLAGS
 * (another entry point taking `--config FILE`, other Node flags), BENCH_AGENT_KEEP=1 (keep the
 * temporary directory: configurations, the processes' output).
 *
 * Per shipper: RSS (VmRSS each second: median; VmHWM: peak) and CPU (utime + stime of the
 * whole process, all threads, from /proc/PID/stat) over the steady period only, as a median of
 * windows and as CPU-seconds in total and per 1,000 lines (the figure a busy machine disturbs
 * least). Then it waits until every line written has arrived (the agent's messages counted in
 * the stream, rsyslog's lines at the sink, each line's number checked off once) and reports
 * how many did. Markdown rows on stdout, then one JSON line; progress on stderr.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { countFor, ensureTelemetry } from '../../shared/test/stream.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const env = process.env;
const rates = (env.BENCH_AGENT_RATES ?? '1000,10000').split(',').map(Number);
const seconds = Number(env.BENCH_AGENT_SECONDS ?? 60);
const warmupS = Number(env.BENCH_AGENT_WARMUP_S ?? 10);
const windowS = Number(env.BENCH_AGENT_WINDOW_S ?? 5);
const natsUrl = env.NATS_URL ?? 'nats://127.0.0.1:4222';
/** USER_HZ: the unit of /proc/<pid>/stat's CPU times on Linux. */
const TICK = 100;
const log = (msg: string) => process.stderr.write(`[bench:agent] ${msg}\n`);

/** The Node flags of the systemd unit's ExecStart and its Environment=, so the bench measures what hosts run. */
const unit = readFileSync(join(ROOT, 'deploy/systemd/soc-agent-endpoint.service'), 'utf8');
function unitNodeFlags(): string[] {
  const exec = /^ExecStart=\S*node\s+(.*)$/m.exec(unit)?.[1] ?? '';
  return exec.split(/\s+/).filter((a) => a.startsWith('--') && a !== '--config');
}
// Process settings only (NODE_ENV, MALLOC_ARENA_MAX…): not the agent's own SOC_* settings, such
// as the credentials systemd hands it (%d), since the bench gives the agent its configuration.
const unitEnv: Record<string, string> = Object.fromEntries(
  [...unit.matchAll(/^Environment=(.*)$/gm)]
    .flatMap((m) => m[1]!.split(/\s+/).map((kv) => kv.split('=', 2) as [string, string]))
    .filter(([k, v]) => !k.startsWith('SOC_') && !v?.includes('%')),
);
const nodeFlags =
  env.BENCH_AGENT_NODE_FLAGS !== undefined
    ? env.BENCH_AGENT_NODE_FLAGS.split(' ').filter(Boolean)
    : unitNodeFlags();
const entry = env.BENCH_AGENT_ENTRY ?? join(ROOT, 'agents/endpoint/dist/soc-agent-endpoint.mjs');
if (!existsSync(entry)) throw new Error(`${entry} missing: npm run build -w @soc/agent-endpoint`);
const rsyslogd = env.BENCH_AGENT_RSYSLOG === '0' ? undefined : findRsyslogd();

function findRsyslogd(): string | undefined {
  for (const p of ['/usr/sbin/rsyslogd', '/sbin/rsyslogd']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v rsyslogd'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function rsyslogVersion(): string | undefined {
  if (!rsyslogd) return undefined;
  return /rsyslogd\s+(\S+)/.exec(spawnSync(rsyslogd, ['-v'], { encoding: 'utf8' }).stdout)?.[1];
}

interface Sample {
  t: number;
  rssKb: number;
  hwmKb: number;
  cpuS: number;
  /** The main thread alone (JavaScript, and GC work done there); the rest is V8's and libuv's threads. */
  mainCpuS: number;
}

const cpuOf = (stat: string) => {
  // After the command name in parentheses: field 3 is state, utime and stime are fields 14, 15.
  const fields = stat.split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK;
};

function sample(pid: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const cpuS = cpuOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const mainCpuS = cpuOf(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8'));
  return { t: performance.now(), rssKb, hwmKb, cpuS, mainCpuS };
}

const unitEnvText = () =>
  Object.entries(unitEnv)
    .map(([k, v]) => `${k}=${v} `)
    .join('');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// --- Lines: a realistic mix (60 % nginx access, 40 % sshd), each carrying its number once
// (the sshd pid, the nginx request path) so the sink can check every line off exactly once.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'curl/7.88.1',
  'Zalo/24.11 (iPhone; iOS 18.1; Scale/3.00)',
];
const PATHS = ['/dich-vu-cong/ho-so', '/api/v1/tra-cuu', '/tin-tuc/thong-bao', '/static/js/app.js', '/login'];
const USERS = ['admin', 'root', 'oracle', 'test', 'ubuntu', 'postgres'];

function line(i: number, now: Date): string {
  const r = (i * 2654435761) >>> 0;
  const ip = `${[203, 113, 14, 171][r % 4]}.${(r >>> 4) % 256}.${(r >>> 12) % 256}.${((r >>> 20) % 254) + 1}`;
  if (r % 10 < 6) {
    const ts = `${pad(now.getUTCDate())}/${MONTHS[now.getUTCMonth()]}/${now.getUTCFullYear()}:${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())} +0000`;
    const status = [200, 200, 200, 304, 404, 302, 500][r % 7];
    return `${ip} - - [${ts}] "GET ${PATHS[r % 5]}/${i} HTTP/1.1" ${status} ${(r % 40000) + 200} "https://dichvucong.example.gov.vn/" "${AGENTS[(r >>> 3) % 4]}"`;
  }
  const ts = `${MONTHS[now.getUTCMonth()]} ${String(now.getUTCDate()).padStart(2, ' ')} ${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}`;
  const head = `${ts} web-01 sshd[${i}]:`;
  const port = 1024 + (r % 64000);
  switch (r % 4) {
    case 0:
      return `${head} Failed password for invalid user ${USERS[r % 6]} from ${ip} port ${port} ssh2`;
    case 1:
      return `${head} Accepted publickey for deploy from ${ip} port ${port} ssh2: ED25519 SHA256:pR0vLq8nXh3kzZ2yYqJ1o5Wm7cVd9sT4bA6eF0gH1iK`;
    case 2:
      return `${head} pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)`;
    default:
      return `${head} Connection closed by authenticating user root ${ip} port ${port} [preauth]`;
  }
}
const NUMBER = /sshd\[(\d+)\]|"GET \/[^ ]*\/(\d+) HTTP/;

/** rsyslog's far end: counts newline-framed lines and checks each line's number off once. */
class Sink {
  readonly server: Server;
  received = 0;
  distinct = 0;
  private seen = new Uint8Array(0);
  constructor() {
    this.server = createServer((sock) => {
      let rest = '';
      sock.setEncoding('utf8');
      sock.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop()!;
        for (const p of parts) this.take(p);
      });
      sock.on('error', () => undefined);
    });
  }
  reset(capacity: number): void {
    this.seen = new Uint8Array(capacity);
    this.received = 0;
    this.distinct = 0;
  }
  private take(text: string): void {
    this.received++;
    const m = NUMBER.exec(text);
    const n = Number(m?.[1] ?? m?.[2] ?? -1);
    if (n >= 0 && n < this.seen.length && !this.seen[n]) {
      this.seen[n] = 1;
      this.distinct++;
    }
  }
  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as { port: number }).port;
  }
}

interface Shipper {
  name: string;
  child: ChildProcess;
  samples: Sample[];
  delivered: () => Promise<number>;
  distinct?: () => number;
  logFile: string;
}

interface Result {
  shipper: string;
  linesPerSecond: number;
  seconds: number;
  written: number;
  delivered: number;
  distinct?: number;
  rssMedianMb: number;
  hwmMb: number;
  cpuPercentMedian: number;
  cpuPercentMin: number;
  cpuPercentMax: number;
  cpuPercentOverall: number;
  cpuSeconds: number;
  mainThreadCpuSeconds: number;
  cpuMsPer1000Lines: number;
  windows: number;
  loadAverage: string;
}

function spawnLogged(
  cmd: string,
  args: string[],
  logFile: string,
  childEnv: NodeJS.ProcessEnv,
): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: childEnv });
  closeSync(fd);
  return child;
}

function agentShipper(nc: NatsConnection, dir: string, file: string, rate: number): Shipper {
  const agentId = `bench-footprint-${process.pid}-${rate}`;
  const config = join(dir, 'agent.yaml');
  writeFileSync(
    config,
    [
      `agent: { id: ${agentId}, dataDir: ${join(dir, 'agent-data')} }`,
      `nats: { url: "${natsUrl}" }`,
      env.BENCH_AGENT_EXTRA_CONFIG ?? '',
      `inputs: [{ name: bench, type: file, paths: ["${file}"] }]`,
      '',
    ].join('\n'),
  );
  const flags = [...nodeFlags];
  if (env.BENCH_AGENT_CPU_PROF) {
    mkdirSync(env.BENCH_AGENT_CPU_PROF, { recursive: true });
    flags.push('--cpu-prof', `--cpu-prof-dir=${resolve(env.BENCH_AGENT_CPU_PROF)}`);
  }
  const childEnv: NodeJS.ProcessEnv = { ...env, ...unitEnv };
  delete childEnv.NATS_URL;
  const logFile = join(dir, 'agent.out');
  const child = spawnLogged(process.execPath, [...flags, entry, '--config', config], logFile, childEnv);
  return { name: 'soc endpoint agent', child, samples: [], delivered: () => countFor(nc, agentId), logFile };
}

function rsyslogShipper(dir: string, file: string, port: number, sink: Sink): Shipper {
  const work = join(dir, 'rsyslog');
  mkdirSync(work);
  const conf = join(dir, 'rsyslog.conf');
  // imfile (inotify) from the file's beginning; omfwd over TCP with a disk-assisted queue, so
  // it too keeps what it cannot send; nothing else loaded (no imuxsock, no imklog).
  writeFileSync(
    conf,
    `global(workDirectory="${work}")
module(load="imfile" mode="inotify")
input(type="imfile" file="${file}" tag="bench:" ruleset="forward")
ruleset(name="forward") {
  action(type="omfwd" target="127.0.0.1" port="${port}" protocol="tcp"
         template="RSYSLOG_ForwardFormat"
         queue.type="LinkedList" queue.filename="forward" queue.maxDiskSpace="256m"
         queue.saveOnShutdown="on" action.resumeRetryCount="-1")
}
`,
  );
  const logFile = join(dir, 'rsyslog.out');
  const child = spawnLogged(rsyslogd!, ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], logFile, env);
  return {
    name: `rsyslog ${rsyslogVersion()}`,
    child,
    samples: [],
    delivered: async () => sink.received,
    distinct: () => sink.distinct,
    logFile,
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(t);
}

async function runRate(nc: NatsConnection, sink: Sink, port: number, rate: number): Promise<Result[]> {
  const dir = mkdtempSync(join(tmpdir(), 'soc-bench-agent-'));
  const file = join(dir, 'app.log');
  writeFileSync(file, '');
  const total = Math.ceil(rate * (seconds + warmupS)) + rate;
  sink.reset(total);
  const shippers = [agentShipper(nc, dir, file, rate)];
  if (rsyslogd) shippers.push(rsyslogShipper(dir, file, port, sink));
  let stopping = false;
  for (const s of shippers)
    s.child.once('exit', (code, signal) => {
      if (!stopping) log(`${s.name} exited early (${code ?? signal}); see ${s.logFile}`);
    });
  await sleep(2000); // both started and watching the (empty) file

  log(`${rate} lines/s: ${warmupS} s warm-up, then ${seconds} s measured`);
  const fd = openSync(file, 'a');
  const t0 = performance.now();
  let written = 0;
  let nextSample = t0 + warmupS * 1000;
  const end = t0 + (warmupS + seconds) * 1000;
  let loadStart = '';
  for (;;) {
    const now = performance.now();
    if (now >= end) break;
    const due = Math.floor(((now - t0) / 1000) * rate);
    if (due > written) {
      const date = new Date();
      const lines: string[] = [];
      while (written < due) lines.push(line(written++, date));
      writeSync(fd, `${lines.join('\n')}\n`);
    }
    if (now >= nextSample) {
      if (!loadStart)
        loadStart = loadavg()
          .map((l) => l.toFixed(2))
          .join(' ');
      for (const s of shippers) s.samples.push(sample(s.child.pid!));
      nextSample += 1000;
    }
    await sleep(10);
  }
  for (const s of shippers) s.samples.push(sample(s.child.pid!));
  closeSync(fd);
  const loadEnd = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

  const delivered = new Map<Shipper, number>();
  const deadline = Date.now() + 120_000;
  for (const s of shippers) {
    let n = await s.delivered();
    while (n < written && Date.now() < deadline) {
      await sleep(250);
      n = await s.delivered();
    }
    delivered.set(s, n);
  }
  stopping = true;
  await Promise.all(shippers.map((s) => stop(s.child)));

  const results = shippers.map((s): Result => {
    const xs = s.samples;
    const first = xs[0]!;
    const last = xs[xs.length - 1]!;
    const perWindow: number[] = [];
    for (let i = 0; i + windowS < xs.length; i += windowS) {
      const a = xs[i]!;
      const b = xs[i + windowS]!;
      perWindow.push((100 * (b.cpuS - a.cpuS)) / ((b.t - a.t) / 1000));
    }
    const cpuSeconds = last.cpuS - first.cpuS;
    const wall = (last.t - first.t) / 1000;
    const result: Result = {
      shipper: s.name,
      linesPerSecond: rate,
      seconds: +wall.toFixed(1),
      written,
      delivered: delivered.get(s)!,
      rssMedianMb: +(median(xs.map((x) => x.rssKb)) / 1024).toFixed(1),
      hwmMb: +(last.hwmKb / 1024).toFixed(1),
      cpuPercentMedian: +median(perWindow).toFixed(2),
      cpuPercentMin: +Math.min(...perWindow).toFixed(2),
      cpuPercentMax: +Math.max(...perWindow).toFixed(2),
      cpuPercentOverall: +((100 * cpuSeconds) / wall).toFixed(2),
      cpuSeconds: +cpuSeconds.toFixed(2),
      mainThreadCpuSeconds: +(last.mainCpuS - first.mainCpuS).toFixed(2),
      cpuMsPer1000Lines: +((1000 * cpuSeconds) / ((rate * wall) / 1000)).toFixed(1),
      windows: perWindow.length,
      loadAverage: `${loadStart} → ${loadEnd}`,
    };
    if (s.distinct) result.distinct = s.distinct();
    if (result.delivered !== written)
      log(`${s.name}: ${result.delivered} of ${written} arrived; see ${s.logFile}`);
    return result;
  });
  const agentId = `bench-footprint-${process.pid}-${rate}`;
  await (await jetstreamManager(nc)).streams.purge('TELEMETRY', { filter: `telemetry.${agentId}.>` });
  if (results.every((r) => r.delivered === written) && !env.BENCH_AGENT_KEEP)
    rmSync(dir, { recursive: true, force: true });
  else log(`kept ${dir} for a look`);
  return results;
}

const nc = await connect({ servers: natsUrl });
await ensureTelemetry(nc);
const sink = new Sink();
const port = await sink.listen();
if (!rsyslogd && env.BENCH_AGENT_RSYSLOG !== '0')
  log('rsyslogd not found (Debian: apt-get install rsyslog): measuring the agent alone');
const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}${rsyslogd ? `, rsyslog ${rsyslogVersion()}` : ''}`;
log(`${machine}; agent: ${unitEnvText()}node ${nodeFlags.join(' ')} ${entry}`);
const all: Result[] = [];
for (const rate of rates) all.push(...(await runRate(nc, sink, port, rate)));
sink.server.close();
await nc.close();

const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
  cwd: ROOT,
  encoding: 'utf8',
}).stdout.trim();
console.log(
  `machine: ${machine}; commit ${commit}${spawnSync('git', ['diff', '--quiet', 'HEAD', '--', 'agents'], { cwd: ROOT }).status ? ' (agents/ modified)' : ''}; ${new Date().toISOString()}`,
);
console.log(
  `agent: ${unitEnvText()}node ${nodeFlags.join(' ')} ${entry.replace(`${ROOT}/`, '')}; ${warmupS} s warm-up, ${seconds} s measured, CPU windows of ${windowS} s\n`,
);
console.log(
  '| shipper | lines/s | delivered / written | RSS median | VmHWM | CPU % of one core (median of windows) | min–max | CPU-s in steady period (agent: main thread) | CPU-ms per 1,000 lines | load average |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of all)
  console.log(
    `| ${r.shipper} | ${r.linesPerSecond.toLocaleString('en')} | ${r.delivered.toLocaleString('en')} / ${r.written.toLocaleString('en')}${r.distinct !== undefined ? ` (${r.distinct.toLocaleString('en')} distinct)` : ''} | ${r.rssMedianMb} MB | ${r.hwmMb} MB | ${r.cpuPercentMedian.toFixed(1)} % (${r.windows}) | ${r.cpuPercentMin.toFixed(1)}–${r.cpuPercentMax.toFixed(1)} | ${r.cpuSeconds.toFixed(2)} s / ${r.seconds} s${r.distinct === undefined ? ` (${r.mainThreadCpuSeconds.toFixed(2)})` : ''} | ${r.cpuMsPer1000Lines} | ${r.loadAverage} |`,
  );
console.log(JSON.stringify({ machine, nodeFlags, results: all }));
if (all.some((r) => r.delivered !== r.written)) process.exitCode = 1;

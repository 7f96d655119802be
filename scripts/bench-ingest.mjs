// `npm run bench:ingest`: the ingest benchmark of issue 5, printed as Markdown rows for
// BENCHMARKS.md. Brings up (or reuses) the local stack, then runs services/ingest/src/bench/run.ts.
//
// Cores: by default Elasticsearch is given the first half of the machine's cores and everything
// else — NATS, the ingest processes, and the direct loader in its turn — the other half, so both
// paths meet the same Elasticsearch and the ratio measures the pipeline, not how much CPU the
// pipeline takes from an Elasticsearch sharing its cores (production runs them on different
// machines). `BENCH_PIN=0` runs everything on every core instead. Affinities are restored after.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ensureInstalled, ROOT } from './bootstrap.mjs';

ensureInstalled();
const SOC = join(ROOT, 'services', 'cli', 'bin', 'soc.js');
const up = spawnSync(process.execPath, [SOC, 'stack', 'up', '--json'], {
  cwd: ROOT,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
if (up.status !== 0) process.exit(up.status ?? 1);
const stack = JSON.parse(up.stdout.trim().split('\n').pop());

/** A process and its descendants (Elasticsearch's pid file names its launcher). */
function tree(pid) {
  const kids = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);
  return [pid, ...kids.flatMap((k) => tree(Number(k)))];
}
function pidOf(name) {
  const file = join(ROOT, 'var', 'run', `${name}.pid`);
  return existsSync(file) ? Number.parseInt(readFileSync(file, 'utf8'), 10) : undefined;
}
/** Each process's CPU list as `taskset` reports it, to put back exactly. */
function affinities(pids) {
  const out = new Map();
  for (const pid of pids) {
    const m = /list: (\S+)/.exec(
      spawnSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' }).stdout ?? '',
    );
    if (m) out.set(pid, m[1]);
  }
  return out;
}
/** A process that ended meanwhile is no error: pinning is best effort, restoring too. */
function setAffinity(pids, cpuList) {
  for (const pid of pids) spawnSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
}
/** Every thread of each process, also those started during the run, back to the process's list. */
function restore(saved) {
  for (const [pid, list] of saved) setAffinity([pid], list);
}

const n = cpus().length;
const esPid = pidOf('elasticsearch');
const natsPid = pidOf('nats');
const pin =
  process.env.BENCH_PIN !== '0' &&
  n >= 2 &&
  esPid !== undefined &&
  natsPid !== undefined &&
  spawnSync('taskset', ['--version']).status === 0;
const esCpus = `0-${Math.floor(n / 2) - 1}`;
const restCpus = `${Math.floor(n / 2)}-${n - 1}`;
const saved = pin ? affinities([...tree(esPid), ...tree(natsPid)]) : new Map();
// Ctrl-C reaches the benchmark too (same process group) and ends it; this process stays to
// put the affinities back instead of dying inside spawnSync.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
let r;
try {
  if (pin) {
    setAffinity(tree(esPid), esCpus);
    setAffinity(tree(natsPid), restCpus);
  }
  const cmd = [process.execPath, '--import', 'tsx', join(ROOT, 'services/ingest/src/bench/run.ts')];
  if (pin) cmd.unshift('taskset', '-c', restCpus);
  r = spawnSync(cmd[0], cmd.slice(1), {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NATS_URL: stack.natsUrl, ELASTICSEARCH_URL: stack.elasticsearchUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
} finally {
  restore(saved);
}
if (r.status !== 0) process.exit(r.status ?? 1);
const { events, results } = JSON.parse(r.stdout.trim().split('\n').pop());
const median = (xs) => {
  // a run too short for a sustained rate (NaN) does not count
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const directs = results.filter((x) => x.label.startsWith('direct'));
const baseline = median(directs.map((x) => x.perSecond));
const sustainedBaseline = median(directs.map((x) => x.sustained));
const single = results.filter((x) => x.label.endsWith('× 1'));
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )}; ${events} events (sshd, nginx, Sysmon, Suricata DNS); baseline = median of the ${directs.length} direct runs; ${
    pin
      ? `Elasticsearch on CPU ${esCpus}, NATS, ingest and the direct loader on CPU ${restCpus}`
      : 'every process on every core'
  }\n`,
);
console.log(
  '| path | events | seconds | events/s (whole run) | ratio | sustained events/s (20→90 %) | ratio |',
);
console.log('|---|---|---|---|---|---|---|');
for (const x of results)
  console.log(
    `| ${x.label} | ${x.events} | ${x.seconds.toFixed(1)} | ${Math.round(x.perSecond)} | ${(x.perSecond / baseline).toFixed(2)} | ${Math.round(x.sustained)} | ${(x.sustained / sustainedBaseline).toFixed(2)} |`,
  );
console.log(
  `\ningest × 1 against direct, medians of ${single.length} and ${directs.length} runs: whole run ${(
    median(single.map((x) => x.perSecond)) / baseline
  ).toFixed(2)}, sustained ${(median(single.map((x) => x.sustained)) / sustainedBaseline).toFixed(2)}`,
);

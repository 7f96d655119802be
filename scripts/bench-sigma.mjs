// `npm run bench:sigma`: the Sigma engine benchmark of issue 3, printed as Markdown rows for
// BENCHMARKS.md. Each configuration runs in its own process, pinned to one core with
// taskset when it exists; figures are medians of RUNS runs (default 3).
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ensureInstalled, ROOT } from './bootstrap.mjs';

ensureInstalled();
const SOC = join(ROOT, 'services', 'cli', 'bin', 'soc.js');
const runs = Number(process.env.RUNS ?? 3);
const pin = spawnSync('taskset', ['--version']).status === 0 ? ['taskset', '-c', '0'] : [];

function once(args) {
  const cmd = [
    ...pin,
    process.execPath,
    '--expose-gc',
    '--max-old-space-size=384',
    SOC,
    'sigma',
    'bench',
    '--format',
    'json',
    ...args,
  ];
  const r = spawnSync(cmd[0], cmd.slice(1), {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) {
    console.error(`bench failed: ${cmd.join(' ')}`);
    process.exit(r.status ?? 1);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const configs = [
  ['whole Windows rule set', []],
  ['10 rules', ['--limit', '10']],
  ['whole set, pre-filter off', ['--no-prefilter', '--events', '100000']],
];
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}${pin.length ? ', pinned to core 0' : ''}; ${runs} runs each, medians\n`,
);
console.log(
  '| configuration | rules | events | events/s | per CPU-second | compile ms | evaluations/event | heap MB | peak RSS MB |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [label, args] of configs) {
  const rs = Array.from({ length: runs }, () => once(args));
  const m = (k) => median(rs.map((r) => r[k]));
  console.log(
    `| ${label} | ${rs[0].activeRules} | ${rs[0].events.toLocaleString('en')} | ${m('eventsPerSecond').toLocaleString('en')} | ${m('eventsPerCpuSecond').toLocaleString('en')} | ${m('compileMs')} | ${rs[0].evaluationsPerEvent} | ${m('heapAfterCompileMb')} | ${m('peakRssMb')} |`,
  );
}

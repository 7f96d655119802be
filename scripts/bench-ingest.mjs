// `npm run bench:ingest`: the ingest benchmark of issue 5, printed as Markdown rows for
// BENCHMARKS.md. Brings up (or reuses) the local stack, then runs services/ingest/src/bench/run.ts.
import { spawnSync } from 'node:child_process';
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
const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'services/ingest/src/bench/run.ts')], {
  cwd: ROOT,
  encoding: 'utf8',
  env: { ...process.env, NATS_URL: stack.natsUrl, ELASTICSEARCH_URL: stack.elasticsearchUrl },
  stdio: ['ignore', 'pipe', 'inherit'],
});
if (r.status !== 0) process.exit(r.status ?? 1);
const { events, results } = JSON.parse(r.stdout.trim().split('\n').pop());
const directs = results.filter((x) => x.label.startsWith('direct'));
const baseline = directs.reduce((a, x) => a + x.perSecond, 0) / directs.length;
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )}; ${events} events (sshd, nginx, Sysmon, Suricata DNS); baseline = mean of the two direct runs\n`,
);
console.log('| path | events | seconds | events/s | ratio to direct |');
console.log('|---|---|---|---|---|');
for (const x of results)
  console.log(
    `| ${x.label} | ${x.events} | ${x.seconds.toFixed(1)} | ${Math.round(x.perSecond)} | ${(x.perSecond / baseline).toFixed(2)} |`,
  );

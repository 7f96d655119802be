// `npm run bench:agent`: the endpoint agent's footprint next to rsyslog (issue 4), printed as
// Markdown rows for BENCHMARKS.md. Builds the agent's bundle (what the systemd unit runs),
// installs Debian's rsyslog when it is missing and we are root, brings up (or reuses) the local
// stack, then runs agents/endpoint/bench/footprint.ts (its header lists the BENCH_AGENT_*
// settings: rates, duration, CPU profile…).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInstalled, ROOT, SOC } from './bootstrap.mjs';

ensureInstalled();
const quiet = { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] };

const build = spawnSync(process.execPath, [join(ROOT, 'agents/endpoint/build.mjs')], quiet);
if (build.status !== 0) process.exit(build.status ?? 1);

const hasRsyslog = () =>
  ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].some((p) => existsSync(p)) ||
  spawnSync('sh', ['-c', 'command -v rsyslogd'], { stdio: 'ignore' }).status === 0;
if (process.env.BENCH_AGENT_RSYSLOG !== '0' && !hasRsyslog()) {
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.error('[bench:agent] installing Debian rsyslog (apt-get install rsyslog)…');
    const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = (args) =>
      spawnSync('apt-get', args, { ...quiet, stdio: ['ignore', 2, 2], env: aptEnv }).status;
    if (apt(['update', '-qq']) !== 0 || apt(['install', '-y', '-qq', 'rsyslog']) !== 0) {
      console.error('[bench:agent] apt-get could not install rsyslog: measuring the agent alone');
    }
  } else {
    console.error(
      '[bench:agent] rsyslog is not installed and this is not root (or not Debian): measuring the agent ' +
        'alone. For the side-by-side, run `apt-get install rsyslog` as root first.',
    );
  }
}

const up = spawnSync(process.execPath, [SOC, 'stack', 'up', '--json'], {
  cwd: ROOT,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
if (up.status !== 0) process.exit(up.status ?? 1);
const stack = JSON.parse(up.stdout.trim().split('\n').pop());

const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'agents/endpoint/bench/footprint.ts')], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, NATS_URL: stack.natsUrl },
});
process.exit(r.status ?? 1);

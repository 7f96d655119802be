/**
 * Footprint of the endpoint agent tailing one file at a fixed rate: RSS and CPU of the agent's
 * process, as `soc agent endpoint` runs it, shipping to the NATS at NATS_URL.
 *
 *   NATS_URL=nats://127.0.0.1:4222 npx tsx agents/endpoint/bench/footprint.ts [linesPerSecond] [seconds]
 *
 * Prints one JSON line. Its messages are purged from TELEMETRY afterwards. FOOTPRINT_ENTRY runs
 * another entry point taking `--config FILE` (e.g. the bundle), with FOOTPRINT_NODE_FLAGS
 * before it; FOOTPRINT_EXTRA_CONFIG adds YAML lines to the agent's configuration.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { countFor, ensureTelemetry } from '../../shared/test/stream.ts';

const rate = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 30);
const warmupS = 5;
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const ROOT = resolve(import.meta.dirname, '../../..');
/** USER_HZ: the unit of /proc/<pid>/stat's CPU times on Linux. */
const TICK = 100;

function sample(pid: number): { rssKb: number; cpuS: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const cpuS = (Number(fields[11]) + Number(fields[12])) / TICK;
  return { rssKb, cpuS };
}

const dir = mkdtempSync(join(tmpdir(), 'soc-bench-'));
const agentId = `bench-${process.pid}`;
const nc = await connect({ servers: natsUrl });
await ensureTelemetry(nc);
const log = join(dir, 'app.log');
writeFileSync(log, '');
writeFileSync(
  join(dir, 'agent.yaml'),
  `agent: { id: ${agentId}, dataDir: ${join(dir, 'data')} }\nnats: { url: "${natsUrl}" }\n${process.env.FOOTPRINT_EXTRA_CONFIG ?? ''}\ninputs: [{ name: app, type: file, paths: ["${log}"] }]\n`,
);
const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
delete env.NATS_URL;
// FOOTPRINT_ENTRY: a script taking `--config FILE` (e.g. the bundle); default: `soc agent endpoint`.
const entry = process.env.FOOTPRINT_ENTRY
  ? [process.env.FOOTPRINT_ENTRY]
  : [join(ROOT, 'services/cli/bin/soc.js'), 'agent', 'endpoint'];
const nodeFlags = (process.env.FOOTPRINT_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const child = spawn(process.execPath, [...nodeFlags, ...entry, '--config', join(dir, 'agent.yaml')], {
  stdio: 'inherit',
  env,
});
await sleep(2000);

// A syslog-like line of about 200 bytes.
const line = (i: number) =>
  `Nov 25 10:00:00 web-01 sshd[1234]: Failed password for invalid user admin${i % 100} from 203.0.113.${i % 250} port ${40000 + (i % 20000)} ssh2 ${'x'.repeat(60)} #${i}\n`;
const fd = openSync(log, 'a');
const t0 = Date.now();
let written = 0;
let start: { rssKb: number; cpuS: number; t: number } | undefined;
let peakRssKb = 0;
while (Date.now() - t0 < (seconds + warmupS) * 1000) {
  const due = Math.floor(((Date.now() - t0) / 1000) * rate);
  let chunk = '';
  while (written < due) chunk += line(written++);
  if (chunk) writeSync(fd, chunk);
  if (!start && Date.now() - t0 >= warmupS * 1000) start = { ...sample(child.pid!), t: Date.now() };
  if (start) peakRssKb = Math.max(peakRssKb, sample(child.pid!).rssKb);
  await sleep(10);
}
closeSync(fd);
const end = { ...sample(child.pid!), t: Date.now() };
const deadline = Date.now() + 60_000;
while ((await countFor(nc, agentId)) < written && Date.now() < deadline) await sleep(200);
const delivered = await countFor(nc, agentId);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
await (await jetstreamManager(nc)).streams.purge('TELEMETRY', { filter: `telemetry.${agentId}.>` });
await nc.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    linesPerSecond: rate,
    seconds,
    written,
    delivered,
    rssMb: +(end.rssKb / 1024).toFixed(1),
    peakRssMb: +(peakRssKb / 1024).toFixed(1),
    cpuPercentOfOneCore: +((100 * (end.cpuS - start!.cpuS)) / ((end.t - start!.t) / 1000)).toFixed(1),
  }),
);

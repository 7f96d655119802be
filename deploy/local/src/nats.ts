import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { serverAuthConfig } from '@soc/core/nats/credentials';
import type { NatsAuthMode, StackConfig } from './config.ts';
import { PrerequisiteError } from './errors.ts';
import { ensureNatsAuth, type StackNatsAuth } from './nats-auth.ts';
import { ensureDir, varDir } from './paths.ts';
import { describePortOwner, isPortFree } from './ports.ts';
import { runningPid, startDaemon, stopDaemon, waitUntil } from './processes.ts';
import type { ComponentStatus } from './status.ts';

/**
 * The local NATS runs in one of two modes (stack.natsAuth): `operator` — decentralized auth,
 * every client needs credentials (what `npm start` runs) — or `none`, anonymous, for the test
 * suites (`npm test` sets it; nats-server 2.9 cannot map anonymous clients to a user in
 * operator mode). One instance serves the configured port in whichever mode started it; when
 * it runs in the other mode, the second instance (`nats-alt`, natsAltPort) serves this one,
 * so `npm test` works beside a running `npm start` and the reverse.
 */
export type NatsInstanceName = 'nats' | 'nats-alt';

interface Instance {
  name: NatsInstanceName;
  port: number;
  monitorPort: number;
  conf: string;
  store: string;
  pid: string;
  log: string;
  marker: string;
}

function instance(cfg: StackConfig, name: NatsInstanceName): Instance {
  const dir = ensureDir(varDir(name));
  const marker = name === 'nats' ? 'soc-local-nats.conf' : 'soc-local-nats-alt.conf';
  return {
    name,
    port: name === 'nats' ? cfg.natsPort : cfg.natsAltPort,
    monitorPort: name === 'nats' ? cfg.natsMonitorPort : cfg.natsAltMonitorPort,
    conf: join(dir, marker),
    store: ensureDir(join(dir, 'jetstream')),
    pid: join(ensureDir(varDir('run')), `${name}.pid`),
    log: join(ensureDir(varDir('log')), `${name}.log`),
    marker,
  };
}

const INSTANCES: NatsInstanceName[] = ['nats', 'nats-alt'];

/** The mode a running instance was started in, read from the config file it was started with. */
function modeOf(i: Instance): NatsAuthMode {
  try {
    return /^operator:/m.test(readFileSync(i.conf, 'utf8')) ? 'operator' : 'none';
  } catch {
    return 'none';
  }
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** `nats-server` from PATH, else Debian's package (needs root and apt). */
export function ensureNatsServerBinary(log: (line: string) => void): string {
  const found = which('nats-server');
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !which('apt-get')) {
    throw new PrerequisiteError(
      'nats-server is not on PATH and cannot be installed automatically (needs root and apt-get).',
      'Install it (Debian/Ubuntu: sudo apt-get install nats-server; elsewhere: https://docs.nats.io), or set NATS_URL to a running NATS server with JetStream.',
    );
  }
  log('installing nats-server from Debian packages (apt-get)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'nats-server'],
  ]) {
    const r = spawnSync('apt-get', args, { env, encoding: 'utf8' });
    if (r.status !== 0) {
      throw new PrerequisiteError(
        `apt-get ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`,
        'Install nats-server yourself, or set NATS_URL to a running NATS server with JetStream.',
      );
    }
  }
  const installed = which('nats-server');
  if (!installed)
    throw new PrerequisiteError(
      'nats-server was installed but is not on PATH.',
      'Check the nats-server package.',
    );
  return installed;
}

function writeConfig(cfg: StackConfig, i: Instance, auth: string | undefined): void {
  // Listen on loopback only: the local stack is for one machine; clusters are configured in deploy/.
  writeFileSync(
    i.conf,
    [
      `server_name: soc-local${i.name === 'nats' ? '' : '-alt'}`,
      `listen: ${cfg.host}:${i.port}`,
      `http: ${cfg.host}:${i.monitorPort}`,
      `max_payload: 8MB`,
      `jetstream {`,
      `  store_dir: "${i.store}"`,
      `  max_memory_store: 256MB`,
      `  max_file_store: 20GB`,
      `}`,
      // Operator mode: the operator and account JWTs (no secrets: seeds stay in var/nats/auth).
      ...(auth ? [auth] : []),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
}

async function healthy(cfg: StackConfig, i: Instance): Promise<boolean> {
  const res = await fetch(`http://${cfg.host}:${i.monitorPort}/healthz?js-enabled-only=true`, {
    signal: AbortSignal.timeout(2000),
  });
  return res.ok;
}

function externalUrl(): string | undefined {
  return process.env.NATS_URL || undefined;
}

/** An external NATS must answer and have JetStream on; checked with the real client. */
async function externalHealthy(url: string): Promise<boolean> {
  const nc = await connect({ servers: url.split(','), timeout: 3000, maxReconnectAttempts: 0 });
  try {
    await (await jetstreamManager(nc)).getAccountInfo();
    return true;
  } finally {
    await nc.close();
  }
}

export interface NatsUp {
  url: string;
  started: boolean;
  /** Absent for an external server (NATS_URL): its credentials are the operator's business. */
  auth?: NatsAuthMode;
  instance?: NatsInstanceName;
  /** In operator mode: the credentials files and keys services and the API are given. */
  credentials?: StackNatsAuth;
}

export async function natsUp(cfg: StackConfig, log: (line: string) => void): Promise<NatsUp> {
  const external = externalUrl();
  if (external) {
    if (!(await externalHealthy(external).catch(() => false))) {
      throw new PrerequisiteError(
        'NATS_URL is set but that server does not answer, or has JetStream off.',
        'Start it with JetStream enabled (nats-server -js), fix the URL, or unset NATS_URL to let the stack run its own NATS.',
      );
    }
    log('using the NATS server at NATS_URL');
    return { url: external, started: false };
  }
  const want = cfg.natsAuth;
  const material = want === 'operator' ? await ensureNatsAuth() : undefined;
  const credentials = material?.auth;
  const result = (i: Instance, started: boolean): NatsUp => ({
    url: `nats://${cfg.host}:${i.port}`,
    started,
    auth: want,
    instance: i.name,
    ...(credentials ? { credentials } : {}),
  });
  const instances = INSTANCES.map((n) => instance(cfg, n));
  // An instance already running in the wanted mode is reused; one in the other mode is left alone.
  for (const i of instances) {
    const pid = runningPid(i.pid, i.marker);
    if (pid === undefined || modeOf(i) !== want) continue;
    await waitUntil(() => healthy(cfg, i), { timeoutMs: 30_000, pid, what: 'nats-server', logFile: i.log });
    return result(i, false);
  }
  const free = instances.find((i) => runningPid(i.pid, i.marker) === undefined);
  if (!free) {
    throw new PrerequisiteError(
      `Both local NATS instances run without the wanted authorization mode (${want}).`,
      'Stop one with soc stack down, or choose the mode with SOC_STACK__NATS_AUTH=operator|none.',
    );
  }
  for (const port of [free.port, free.monitorPort]) {
    if (!(await isPortFree(cfg.host, port))) {
      throw new PrerequisiteError(
        `Port ${cfg.host}:${port} is already in use${describePortOwner(port)}, so the local NATS cannot start.`,
        free.name === 'nats'
          ? 'Stop that process, or move the local NATS with SOC_STACK__NATS_PORT / SOC_STACK__NATS_MONITOR_PORT, or use an existing NATS server with NATS_URL.'
          : 'Stop that process, or move the second local NATS with SOC_STACK__NATS_ALT_PORT / SOC_STACK__NATS_ALT_MONITOR_PORT.',
      );
    }
  }
  const binary = ensureNatsServerBinary(log);
  // The current authority, revocations included: a restart must not forget a revoked agent.
  const auth = material ? await serverAuthConfig(material.authority) : undefined;
  writeConfig(cfg, free, auth);
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  const url = `nats://${cfg.host}:${free.port}`;
  log(
    `starting ${version} on ${url} (${want === 'operator' ? 'operator mode: credentials required' : 'no authorization: tests only'}; JetStream store ${free.store})`,
  );
  const pid = startDaemon({
    name: free.name,
    command: binary,
    args: ['-c', free.conf],
    logFile: free.log,
    pidFile: free.pid,
    marker: free.marker,
  });
  await waitUntil(() => healthy(cfg, free), {
    timeoutMs: 30_000,
    pid,
    what: 'nats-server',
    logFile: free.log,
  });
  return result(free, true);
}

/** Stops the instances named, or every instance. */
export async function natsDown(
  cfg: StackConfig,
  which: ReadonlyArray<NatsInstanceName> = INSTANCES,
): Promise<NatsInstanceName[]> {
  const stopped: NatsInstanceName[] = [];
  for (const name of which) {
    const i = instance(cfg, name);
    if (await stopDaemon(i.pid, i.marker, 15_000)) stopped.push(name);
  }
  return stopped;
}

export async function natsStatus(cfg: StackConfig): Promise<ComponentStatus[]> {
  const external = externalUrl();
  if (external)
    return [
      {
        name: 'nats',
        url: external,
        answering: await externalHealthy(external).catch(() => false),
        external: true,
      },
    ];
  const out: ComponentStatus[] = [];
  for (const i of INSTANCES.map((n) => instance(cfg, n))) {
    const pid = runningPid(i.pid, i.marker);
    // The second instance only shows when it runs.
    if (i.name === 'nats-alt' && pid === undefined) continue;
    const answering = await healthy(cfg, i).catch(() => false);
    out.push({
      name: i.name,
      pid,
      url: `nats://${cfg.host}:${i.port}`,
      answering,
      log: i.log,
      ...(pid !== undefined
        ? { detail: modeOf(i) === 'operator' ? 'operator mode' : 'no authorization' }
        : {}),
    });
  }
  return out;
}

import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { StackConfig } from './config.ts';
import { PrerequisiteError } from './errors.ts';
import { ensureDir, varDir } from './paths.ts';
import { describePortOwner, isPortFree } from './ports.ts';
import { runningPid, startDaemon, stopDaemon, waitUntil } from './processes.ts';
import type { ComponentStatus } from './status.ts';

const MARKER = 'soc-local-nats.conf';

function paths() {
  const dir = ensureDir(varDir('nats'));
  return {
    conf: join(dir, MARKER),
    store: ensureDir(join(dir, 'jetstream')),
    pid: join(ensureDir(varDir('run')), 'nats.pid'),
    log: join(ensureDir(varDir('log')), 'nats.log'),
  };
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

function writeConfig(cfg: StackConfig, file: string, store: string): void {
  // Listen on loopback only: the local stack is for one machine; clusters are configured in deploy/.
  writeFileSync(
    file,
    [
      `server_name: soc-local`,
      `listen: ${cfg.host}:${cfg.natsPort}`,
      `http: ${cfg.host}:${cfg.natsMonitorPort}`,
      `max_payload: 8MB`,
      `jetstream {`,
      `  store_dir: "${store}"`,
      `  max_memory_store: 256MB`,
      `  max_file_store: 20GB`,
      `}`,
      '',
    ].join('\n'),
  );
}

async function healthy(cfg: StackConfig): Promise<boolean> {
  const res = await fetch(`http://${cfg.host}:${cfg.natsMonitorPort}/healthz?js-enabled-only=true`, {
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

export async function natsUp(
  cfg: StackConfig,
  log: (line: string) => void,
): Promise<{ url: string; started: boolean }> {
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
  const url = `nats://${cfg.host}:${cfg.natsPort}`;
  const p = paths();
  const existing = runningPid(p.pid, MARKER);
  if (existing !== undefined) {
    await waitUntil(() => healthy(cfg), {
      timeoutMs: 30_000,
      pid: existing,
      what: 'nats-server',
      logFile: p.log,
    });
    return { url, started: false };
  }
  for (const port of [cfg.natsPort, cfg.natsMonitorPort]) {
    if (!(await isPortFree(cfg.host, port))) {
      throw new PrerequisiteError(
        `Port ${cfg.host}:${port} is already in use${describePortOwner(port)}, so the local NATS cannot start.`,
        'Stop that process, or move the local NATS with SOC_STACK__NATS_PORT / SOC_STACK__NATS_MONITOR_PORT, or use an existing NATS server with NATS_URL.',
      );
    }
  }
  const binary = ensureNatsServerBinary(log);
  writeConfig(cfg, p.conf, p.store);
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  log(`starting ${version} on ${url} (JetStream store ${p.store})`);
  const pid = startDaemon({
    name: 'nats',
    command: binary,
    args: ['-c', p.conf],
    logFile: p.log,
    pidFile: p.pid,
    marker: MARKER,
  });
  await waitUntil(() => healthy(cfg), { timeoutMs: 30_000, pid, what: 'nats-server', logFile: p.log });
  return { url, started: true };
}

export async function natsDown(): Promise<boolean> {
  const p = paths();
  return stopDaemon(p.pid, MARKER, 15_000);
}

export async function natsStatus(cfg: StackConfig): Promise<ComponentStatus> {
  const external = externalUrl();
  if (external)
    return {
      name: 'nats',
      url: external,
      answering: await externalHealthy(external).catch(() => false),
      external: true,
    };
  const p = paths();
  const pid = runningPid(p.pid, MARKER);
  const answering = await healthy(cfg).catch(() => false);
  return { name: 'nats', pid, url: `nats://${cfg.host}:${cfg.natsPort}`, answering, log: p.log };
}

/**
 * `soc start` as the end-to-end tests run it: a free port, a NATS of its own where the test
 * needs one (its own var dir and ports, so the shared stack's NATS is not touched), and a child
 * that a failed assertion never leaves running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackUrls } from '@soc/test-support';
import { onTestFinished } from 'vitest';

const SOC = join(import.meta.dirname, '../../services/cli/bin/soc.js');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * The environment of a `soc start` that runs a NATS of its own, as on a fresh machine, next to
 * the shared Elasticsearch; the var dir is removed when the test ends.
 */
export async function ownNatsEnv(
  extra: NodeJS.ProcessEnv = {},
): Promise<{ env: NodeJS.ProcessEnv; varDir: string; natsPort: number }> {
  const varDir = mkdtempSync(join(tmpdir(), 'soc-start-'));
  onTestFinished(() => rmSync(varDir, { recursive: true, force: true }));
  const [natsPort, natsMonitorPort, altPort, altMonitorPort] = await Promise.all(
    Array.from({ length: 4 }, freePort),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SOC_VAR_DIR: varDir,
    SOC_LOG__LEVEL: 'warn',
    SOC_STACK__NATS_PORT: String(natsPort),
    SOC_STACK__NATS_MONITOR_PORT: String(natsMonitorPort),
    SOC_STACK__NATS_ALT_PORT: String(altPort),
    SOC_STACK__NATS_ALT_MONITOR_PORT: String(altMonitorPort),
    ELASTICSEARCH_URL: stackUrls!.elasticsearchUrl,
    ...extra,
  };
  delete env.NATS_URL;
  return { env, varDir, natsPort: natsPort! };
}

export interface StartedSoc {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  exited: Promise<number | null>;
}

/** Spawns `soc start --api-port PORT` and waits (up to 90 s) for "SOC ready" or its exit. */
export async function startSoc(apiPort: number, env: NodeJS.ProcessEnv): Promise<StartedSoc> {
  const child = spawn(process.execPath, [SOC, 'start', '--api-port', String(apiPort)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  for (const s of [child.stdout, child.stderr]) s?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  onTestFinished(() => {
    // A failed assertion must not leave a SOC running behind the test run.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const deadline = Date.now() + 90_000;
  while (!out.includes('SOC ready') && Date.now() < deadline && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 200));
  return { child, output: () => out, exited };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ServiceEntry } from './services.ts';

export interface Supervised {
  entry: ServiceEntry;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** Runs a service as a child process with its log lines prefixed by its name. */
export function spawnService(entry: ServiceEntry, env: NodeJS.ProcessEnv, port: number): Supervised {
  const child = spawn(process.execPath, ['--import', 'tsx', entry.entry], {
    env: {
      // Readable lines when a person watches the terminal, unless they chose otherwise.
      ...(process.stdout.isTTY ? { SOC_LOG__PRETTY: 'true' } : {}),
      ...env,
      SOC_HTTP__PORT: String(port),
      SOC_SUPERVISOR_PID: String(process.pid),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) =>
      process.stdout.write(`[${entry.name}] ${line}\n`),
    );
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { entry, child, exited };
}

export async function waitReady(url: string, sv: Supervised, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void sv.exited.then(() => {
    dead = true;
  });
  while (Date.now() < deadline && !dead) {
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    dead
      ? `${sv.entry.name} exited during start-up`
      : `${sv.entry.name} not ready within ${timeoutMs / 1000} s`,
  );
}

/** SIGTERM every child (they shut down gracefully), SIGKILL stragglers after the grace period. */
export async function stopAll(all: Supervised[], graceMs = 20_000): Promise<void> {
  await Promise.all(
    all.map(async (sv) => {
      if (sv.child.exitCode !== null || sv.child.signalCode !== null) return;
      sv.child.kill('SIGTERM');
      const timer = setTimeout(() => sv.child.kill('SIGKILL'), graceMs);
      await sv.exited;
      clearTimeout(timer);
    }),
  );
}

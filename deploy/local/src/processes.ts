import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  pidFile: string;
  /** A string the process's command line must contain, so a recycled pid is not mistaken for ours. */
  marker: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}

/** Starts a process in its own session (Ctrl-C in a terminal does not reach it) with output to a log file. */
export function startDaemon(spec: DaemonSpec): number {
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: spec.env ?? process.env,
      cwd: spec.cwd,
      uid: spec.uid,
      gid: spec.gid,
    });
    // A failed spawn (EACCES, ENOENT) also emits 'error' later: the throw below reports it,
    // an unhandled event would crash the whole command instead.
    child.on('error', () => {});
    if (child.pid === undefined)
      throw new Error(
        `could not start ${spec.command}${spec.uid === undefined ? '' : ` as uid ${spec.uid}`}: it must exist and be executable, and every directory on its path searchable, by that user`,
      );
    child.unref();
    writeFileSync(spec.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The pid from the pid file when that process is alive and is the one we started. */
export function runningPid(pidFile: string, marker: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  return cmdline(pid).includes(marker) ? pid : undefined;
}

/** SIGTERM, then SIGKILL after the grace period; removes the pid file. */
export async function stopDaemon(pidFile: string, marker: string, graceMs = 30_000): Promise<boolean> {
  const pid = runningPid(pidFile, marker);
  if (pid === undefined) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  rmSync(pidFile, { force: true });
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns true, the process dies, or time runs out. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  opts: { timeoutMs: number; pid?: number; what: string; logFile?: string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    if (opts.pid !== undefined && !isAlive(opts.pid)) {
      throw new Error(
        `${opts.what} exited during start-up${opts.logFile ? `; see ${opts.logFile}:\n${tail(opts.logFile)}` : ''}`,
      );
    }
    await sleep(300);
  }
  throw new Error(
    `${opts.what} did not become ready within ${opts.timeoutMs / 1000} s${opts.logFile ? `; see ${opts.logFile}` : ''}`,
  );
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

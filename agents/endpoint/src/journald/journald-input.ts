import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cursor, InputCondition, Output } from '@soc/agent-shared';
import type { Logger } from 'pino';
import type { JournaldInputConfig } from '../config.ts';
import { LineSplitter } from '../tail/lines.ts';
import { journalctlArgs } from './args.ts';
import { parseEntry } from './entry.ts';

/** What is persisted, in the disk buffer with each entry: journalctl resumes after it. */
export interface JournalCursor {
  cursor: string;
}

/** Where journald keeps journals (volatile, persistent), and the socket a running journald listens on. */
export const SYSTEM_JOURNALS = ['/run/log/journal', '/var/log/journal'];
export const JOURNALD_SOCKET = '/run/systemd/journal/socket';

/** A journalctl that ran this long was working: the restart back-off starts over. */
const HEALTHY_MS = 10_000;

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** Whether `dir` holds journal files, directly or in a machine-id directory. */
async function hasJournalFiles(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith('.journal')) return true;
    if (e.isDirectory()) {
      const inner = await readdir(join(dir, e.name)).catch(() => [] as string[]);
      if (inner.some((n) => n.endsWith('.journal'))) return true;
    }
  }
  return false;
}

/**
 * Why this host cannot be read, or undefined when it can: journalctl missing, or no journal
 * (a container, a system without systemd: no running journald and no journal files; an empty
 * /var/log/journal left by a package does not count), or the configured directory absent.
 */
export async function unavailable(
  cfg: JournaldInputConfig,
  journals = SYSTEM_JOURNALS,
  socket = JOURNALD_SOCKET,
): Promise<string | undefined> {
  const found = await new Promise<boolean>((resolve) =>
    execFile(cfg.journalctl, ['--version'], { timeout: 10_000 }, (err) => resolve(!err)),
  );
  if (!found) return `${cfg.journalctl} cannot be run (not installed, or not on PATH)`;
  if (cfg.directory)
    return (await exists(cfg.directory)) ? undefined : `journal directory ${cfg.directory} does not exist`;
  if (await exists(socket)) return undefined;
  for (const j of journals) if (await hasJournalFiles(j)) return undefined;
  return `no journal on this host: journald is not running (no ${socket}) and there are no journal files in ${journals.join(' or ')}`;
}

/**
 * Follows the journal through `journalctl -o json --follow`. Each entry goes to the output
 * with its cursor, which the disk buffer persists together with it: after a crash journalctl
 * starts again just after the last entry that reached the buffer, so nothing is skipped and
 * nothing read twice. A journalctl that exits is started again (with a doubling back-off).
 */
export class JournaldInput {
  private cursor: string | undefined;
  private child: ChildProcess | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Why the input does not run on this host (decided once, at start); undefined while it runs. */
  private disabledReason: string | undefined;

  constructor(
    private readonly cfg: JournaldInputConfig,
    private readonly output: Output,
    cursors: ReadonlyMap<string, unknown>,
    private readonly logger: Logger,
    private readonly where: { journals?: string[]; socket?: string } = {},
  ) {
    this.cursor = (cursors.get(this.cursorKey) as JournalCursor | undefined)?.cursor;
  }

  get name(): string {
    return this.cfg.name;
  }

  /** The running journalctl's process id (tests kill it). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether the input runs: false when journald is not on this host. */
  get enabled(): boolean {
    return this.disabledReason === undefined;
  }

  /** For the heartbeat: a host without journald shows as such, not as a journal with nothing in it. */
  get condition(): InputCondition {
    return this.disabledReason === undefined
      ? { state: 'running' }
      : { state: 'disabled', reason: this.disabledReason };
  }

  private get cursorKey(): string {
    return `journald:${this.cfg.name}`;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops journalctl; entries it printed but the input did not take are read again next time. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.child?.kill('SIGTERM');
    await this.loop;
  }

  private async run(): Promise<void> {
    const reason = await unavailable(this.cfg, this.where.journals, this.where.socket);
    if (reason) {
      this.disabledReason = reason;
      this.logger.warn({ reason }, 'journald input disabled');
      return;
    }
    let backoff = this.cfg.restartMinMs;
    while (!this.stopped) {
      const started = Date.now();
      const { code, signal, stderr, entries } = await this.follow();
      if (this.stopped) break;
      if (Date.now() - started >= HEALTHY_MS || entries > 0) backoff = this.cfg.restartMinMs;
      if (code !== 0 && this.cursor && /cursor/i.test(stderr) && entries === 0) {
        // A cursor journalctl cannot seek to (journal files replaced): from `startAt` rather than never again.
        this.logger.error(
          { cursor: this.cursor, stderr },
          'journalctl rejected the saved cursor; starting over from startAt',
        );
        this.cursor = undefined;
      }
      this.logger.warn(
        { code, signal, stderr: stderr || undefined, restartInMs: backoff },
        'journalctl exited; restarting it',
      );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, backoff);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      backoff = Math.min(backoff * 2, this.cfg.restartMaxMs);
    }
  }

  /** Runs journalctl until it exits (or we stop it), shipping every entry it prints. */
  private async follow(): Promise<{
    code: number | null;
    signal: string | null;
    stderr: string;
    entries: number;
  }> {
    const args = journalctlArgs(this.cfg, this.cursor);
    this.logger.info({ args }, 'starting journalctl');
    const child = spawn(this.cfg.journalctl, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    // Only the last bit of stderr is kept, for the log line when it exits.
    let stderrText = '';
    const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.once('error', (err) => {
        stderrText += err.message;
        resolve({ code: -1, signal: null });
      });
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderrText = (stderrText + d.toString('utf8')).slice(-2000);
    });
    const splitter = new LineSplitter(this.cfg.maxEntryBytes, 0);
    let entries = 0;
    try {
      // Async iteration reads a chunk only when the previous one is shipped: the output's
      // backpressure reaches journalctl through the pipe.
      for await (const chunk of child.stdout!) {
        for (const line of splitter.push(chunk as Buffer)) {
          if (!line.text && !line.truncated) continue;
          await this.ship(line.text, line.truncated);
          entries++;
        }
        if (this.stopped) break;
      }
    } catch (err) {
      if (!this.stopped) this.logger.error({ err }, 'reading journalctl failed');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    const { code, signal } = await exit;
    this.child = undefined;
    return { code, signal, stderr: stderrText.trim(), entries };
  }

  private async ship(text: string, truncated: boolean): Promise<void> {
    const entry = parseEntry(text, truncated);
    let cursor: Cursor | undefined;
    if (entry.cursor) {
      this.cursor = entry.cursor;
      const value: JournalCursor = { cursor: entry.cursor };
      cursor = { key: this.cursorKey, value };
    }
    await this.output.write(this.cfg.name, entry.body, cursor);
  }
}

import { type FSWatcher, type Stats, watch } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Output } from '@soc/agent-shared';
import type { Logger } from 'pino';
import type { FimInputConfig } from '../config.ts';
import { osType } from '../inventory/os-release.ts';
import { type Baseline, loadBaseline, saveBaseline } from './baseline.ts';
import { classify, type FimAction, fimEvent } from './diff.ts';
import { excluder } from './exclude.ts';
import { type FileState, fileState, HASH_CHUNK, type Names, readNames } from './state.ts';
import { walk, walkState } from './walk.ts';

interface Change {
  path: string;
  action: FimAction;
  before: FileState | undefined;
  now: FileState | undefined;
}

/** Realtime checks waiting for their file to settle; beyond this a full scan replaces them. */
const MAX_PENDING = 10_000;
/** Changes shipped (and taken into the baseline) together, at most. */
const SHIP_BATCH = 500;
/** How soon after a change the baseline is written (changes coming together are saved once). */
const PERSIST_DELAY_MS = 1000;

/** Every recorded field equal: otherwise the baseline takes the new state (and is saved again). */
function sameState(a: FileState, b: FileState): boolean {
  return (
    a.size === b.size &&
    a.mode === b.mode &&
    a.uid === b.uid &&
    a.gid === b.gid &&
    a.owner === b.owner &&
    a.group === b.group &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs &&
    a.ino === b.ino &&
    a.sha256 === b.sha256
  );
}

const under = (path: string, root: string) =>
  path === root || path.startsWith(root === '/' ? '/' : `${root}/`);

/**
 * File integrity monitoring of the configured paths. Every change is compared with a baseline
 * kept in `<dataDir>/fim/<input>.json`; the baseline takes a change only once its event is in
 * the disk buffer, so a crash can make a change reported twice, never lost. Periodic full scans
 * find what the realtime watches missed (and everything that changed while the agent was down).
 */
export class FimInput {
  private baseline: Baseline = { roots: [], files: new Map() };
  /** Configured paths the saved baseline did not cover: their files are recorded, not reported, on the first scan. */
  private silentRoots: string[] = [];
  private names: Names = { users: new Map(), groups: new Map() };
  private readonly excluded: (path: string) => boolean;
  private readonly watchers = new Map<string, FSWatcher>();
  private watchesFailed = false;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private dirty = false;
  private persistTimer: NodeJS.Timeout | undefined;
  private limitWarned = false;
  private scanned = false;
  /** Realtime checks were dropped (too many at once): a full scan replaces them. */
  private rescan = false;
  private readonly os = osType();
  private readonly chunk = Buffer.allocUnsafe(HASH_CHUNK);
  private resolveReady: () => void = () => {};
  /** Resolves once the first scan (baseline or comparison with the saved one) is done. */
  readonly ready = new Promise<void>((r) => {
    this.resolveReady = r;
  });

  constructor(
    private readonly cfg: FimInputConfig,
    private readonly dataDir: string,
    private readonly output: Output,
    private readonly logger: Logger,
  ) {
    this.excluded = excluder(cfg.exclude);
  }

  get name(): string {
    return this.cfg.name;
  }

  private get file(): string {
    return join(this.dataDir, 'fim', `${this.cfg.name}.json`);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    // Before waiting: a save started by the timer now would race the last one below.
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    await this.loop;
    await this.queue;
    if (this.dirty) await this.persist();
  }

  /** A full scan, after whatever is queued. Exposed for tests. */
  scan(): Promise<void> {
    return this.serial(() => this.fullScan());
  }

  private async run(): Promise<void> {
    try {
      const saved = await loadBaseline(this.file);
      if (saved) this.baseline = saved;
      this.silentRoots = this.cfg.reportBaseline
        ? []
        : this.cfg.paths.filter((p) => !saved?.roots.some((r) => under(p, r)));
      this.logger.info(
        { files: this.baseline.files.size, new: this.silentRoots },
        saved ? 'FIM: comparing with the saved baseline' : 'FIM: no baseline yet; building it',
      );
    } catch (err) {
      // A damaged baseline: start over rather than stop monitoring, and say so.
      this.logger.error({ err, file: this.file }, 'FIM: cannot read the saved baseline; building a new one');
      this.silentRoots = this.cfg.reportBaseline ? [] : [...this.cfg.paths];
    }
    while (!this.stopped) {
      this.rescan = false;
      await this.scan();
      this.resolveReady();
      if (this.stopped) break;
      // A storm of changes during that scan: another one at once.
      if (this.rescan) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.cfg.scanIntervalS * 1000);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    this.resolveReady();
  }

  /** Scans and realtime checks change the baseline: one at a time. */
  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.queue.then(fn).catch((err) => {
      this.logger.error({ err }, 'FIM check failed; the next scan retries');
    });
    this.queue = run;
    return run;
  }

  /** Under a configured path, not excluded, and within reach (`recursive: false`: directly in it). */
  private monitored(path: string): boolean {
    if (this.excluded(path)) return false;
    return this.cfg.paths.some(
      (root) => path === root || (under(path, root) && (this.cfg.recursive || dirname(path) === root)),
    );
  }

  private silent(path: string): boolean {
    return this.silentRoots.some((r) => under(path, r));
  }

  private async fullScan(): Promise<void> {
    this.names = await readNames();
    this.limitWarned = false;
    const state = walkState();
    const opts = {
      recursive: this.cfg.recursive,
      excluded: this.excluded,
      followRoot: true,
    };
    // A path inside another configured one is walked with it, not twice (two events per change).
    const roots = [...new Set(this.cfg.paths)].filter(
      (p) => !this.cfg.paths.some((q) => q !== p && under(p, q) && (this.cfg.recursive || dirname(p) === q)),
    );
    async function* everything(): AsyncGenerator<[string, Stats]> {
      for (const root of roots) yield* walk(root, opts, state);
    }
    const t0 = Date.now();
    const reported = await this.compare(everything(), () => true);
    // Cut short: the roots are not all recorded yet, so a new one stays new for the next start.
    if (this.stopped) return;
    const first = !this.scanned;
    this.scanned = true;
    this.logger[first ? 'info' : 'debug'](
      { files: this.baseline.files.size, changes: reported, ms: Date.now() - t0 },
      'FIM scan done',
    );
    this.silentRoots = [];
    if (this.baseline.roots.join('\n') !== this.cfg.paths.join('\n')) {
      this.baseline.roots = [...this.cfg.paths];
      this.dirty = true;
    }
    if (this.dirty) await this.persist();
    if (this.cfg.realtime && !this.stopped) this.watchAll(state.dirs);
  }

  /** A path a watch reported: the file, or the directory and everything in it, compared again. */
  private async check(path: string): Promise<void> {
    const state = walkState();
    const files = walk(
      path,
      {
        recursive: this.cfg.recursive,
        excluded: (p) => !this.monitored(p),
        followRoot: this.cfg.paths.includes(path),
      },
      state,
    );
    await this.compare(files, (p) => under(p, path));
    if (!this.cfg.realtime || this.stopped) return;
    if (!state.dirs.includes(path)) {
      // No longer a directory (removed, renamed away, replaced by a file): its watches and
      // those below it go, so a directory made there later is watched afresh.
      for (const [dir, w] of this.watchers)
        if (under(dir, path)) {
          w.close();
          this.watchers.delete(dir);
        }
    }
    this.watchAll(state.dirs);
  }

  /**
   * Compares what a walk finds with the baseline entries in its `scope`, ships the changes
   * (in batches, so a first run with `reportBaseline` holds a bounded number), then updates
   * the baseline. An entry the walk did not find is deleted only if the path is really gone
   * (not a regular file any more): its directory may just have been unreadable this time.
   */
  private async compare(
    files: AsyncIterable<[string, Stats]>,
    scope: (path: string) => boolean,
  ): Promise<number> {
    // Paths of the baseline only: the walk may pass any number of files beyond maxFiles.
    const seen = new Set<string>();
    let changes: Change[] = [];
    let adding = 0;
    let reported = 0;
    for await (const [path, st] of files) {
      if (this.stopped) return reported;
      const before = this.baseline.files.get(path);
      if (before) seen.add(path);
      else if (this.baseline.files.size + adding >= this.cfg.maxFiles) {
        this.warnLimit();
        continue;
      }
      const now = await fileState(path, st, this.names, this.cfg.maxHashBytes, before, this.chunk);
      const action = classify(before, now);
      if (action && !(action === 'created' && this.silent(path))) {
        changes.push({ path, action, before, now });
        // Not in the baseline until shipped, but counted against maxFiles already.
        if (!before) adding++;
      } else if (!before || !sameState(before, now)) {
        // New to a fresh baseline, or a change that is not reported (mtime, ctime): recorded only.
        this.baseline.files.set(path, now);
        this.dirty = true;
      }
      if (changes.length >= SHIP_BATCH) {
        reported += changes.length;
        await this.ship(changes);
        changes = [];
        adding = 0;
      }
    }
    for (const [path, before] of this.baseline.files) {
      if (seen.has(path) || !scope(path)) continue;
      if (!this.monitored(path)) {
        // Excluded or no longer configured: forgotten, not reported as deleted.
        this.baseline.files.delete(path);
        this.dirty = true;
        continue;
      }
      const st = await lstat(path).catch(() => undefined);
      if (st?.isFile()) continue;
      changes.push({ path, action: 'deleted', before, now: undefined });
    }
    await this.ship(changes);
    return reported + changes.length;
  }

  private async ship(changes: Change[]): Promise<void> {
    if (!changes.length) return;
    const time = new Date();
    for (const c of changes) {
      await this.output.write(this.cfg.name, {
        event: fimEvent(c.action, c.path, c.before, c.now, this.os, time),
      });
    }
    // In the disk buffer first, then in the baseline: a crash in between reports it again.
    await this.output.flush();
    for (const c of changes) {
      if (c.now) this.baseline.files.set(c.path, c.now);
      else this.baseline.files.delete(c.path);
    }
    this.dirty = true;
    this.logger.debug({ changes: changes.length }, 'FIM changes shipped');
    this.persistTimer ??= setTimeout(() => {
      this.persistTimer = undefined;
      void this.serial(() => this.persist());
    }, PERSIST_DELAY_MS);
  }

  private async persist(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await saveBaseline(this.file, this.baseline);
    } catch (err) {
      this.dirty = true;
      this.logger.error({ err, file: this.file }, 'FIM: cannot save the baseline; will retry');
    }
  }

  private warnLimit(): void {
    if (this.limitWarned) return;
    this.limitWarned = true;
    this.logger.warn(
      { maxFiles: this.cfg.maxFiles },
      'FIM: maxFiles reached; files beyond it are not monitored',
    );
  }

  /** One non-recursive watch per directory (and per parent of a configured file). */
  private watchAll(dirs: string[]): void {
    for (const dir of dirs) this.watchDir(dir);
    // A configured file (or a path not there yet) is seen through its directory's watch.
    for (const root of this.cfg.paths) if (!this.watchers.has(root)) this.watchDir(dirname(root));
  }

  private watchDir(dir: string): void {
    if (this.stopped || this.watchesFailed || this.watchers.has(dir)) return;
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: false }, (_event, name) => {
        if (name) this.changed(join(dir, name.toString()));
        else this.changed(dir);
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Gone, or unreadable: that directory only (scans report what they can read of it).
      if (code !== 'ENOSPC' && code !== 'EMFILE' && code !== 'ENFILE') return;
      // Out of inotify watches or descriptors: the periodic scan still sees everything.
      this.watchesFailed = true;
      this.logger.warn(
        { dir, code, watches: this.watchers.size },
        'FIM: cannot add more realtime watches; changes beyond them are found by the periodic scan',
      );
      return;
    }
    w.on('error', () => {
      w.close();
      this.watchers.delete(dir);
    });
    this.watchers.set(dir, w);
  }

  /** A watch saw something at `path`: check it once it has been quiet for `settleMs`. */
  private changed(path: string): void {
    if (this.stopped) return;
    // Siblings of a configured file share its directory's watch: only monitored paths count.
    if (!this.monitored(path)) return;
    const t = this.pending.get(path);
    if (t) clearTimeout(t);
    else if (this.pending.size >= MAX_PENDING) {
      // A storm of changes: one full scan instead of a check per path, memory stays bounded.
      for (const x of this.pending.values()) clearTimeout(x);
      this.pending.clear();
      this.rescan = true;
      this.wake?.();
      return;
    }
    this.pending.set(
      path,
      setTimeout(() => {
        this.pending.delete(path);
        void this.serial(() => this.check(path));
      }, this.cfg.settleMs),
    );
  }
}

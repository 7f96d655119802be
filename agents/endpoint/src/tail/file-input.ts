import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Cursor, EventBody, Output } from '@soc/agent-shared';
import type { Logger } from 'pino';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { FileInputConfig, TailConfig } from '../config.ts';
import { FINGERPRINT_BYTES, type Fingerprint, fingerprint, sameStart } from './fingerprint.ts';
import { type Line, LineSplitter } from './lines.ts';
import { MultilineGrouper } from './multiline.ts';
import { parseLine } from './parse.ts';

/** What is persisted per file, in the disk buffer, with each event read from it. */
export interface FileCursor {
  path: string;
  dev: number;
  ino: number;
  /** Where the next unread event starts. */
  offset: number;
  fp: string;
  fpLen: number;
}

/** One file being read, known by device and inode so a rename does not make it a new file. */
interface Tracked {
  id: string;
  dev: number;
  ino: number;
  path: string;
  fh: FileHandle;
  /** Bytes fed to the splitter. */
  readOffset: number;
  /** End of the last event shipped: what the cursor says. */
  committed: number;
  fp: Fingerprint;
  splitter: LineSplitter;
  grouper: MultilineGrouper | undefined;
  /** No longer at a path the globs match (renamed away, deleted): read to the end, then close. */
  rotated: boolean;
  lastData: number;
  /** Size and mtime at the last poll: unchanged, the file cannot have been truncated. */
  seen: { size: number; mtimeMs: number };
  /** The content it had before a truncation, for matching the copy copytruncate made of it. */
  previous?: { fp: Fingerprint; offset: number };
  /** A copy of another tracked file (whose first bytes hash to `fp`): not read until we know where the original stopped. */
  copyOf?: { id: string; fp: string; since: number };
}

const CHUNK = 64 * 1024;
/**
 * Glob patterns are matched again at most this often while tailing (literal paths are checked
 * on every poll: one stat). A glob walks its directory and compiles its patterns, ~3 ms of
 * CPU each time; a file it finds late is read from its beginning, so nothing is missed.
 */
const GLOB_EVERY_MS = 1000;

/**
 * Tails the files an input's globs match. Polling (not inotify) because it behaves the same
 * on every filesystem and sees every kind of rotation the same way: the path now names another
 * inode (rename), or the inode shrank or changed its first bytes (copytruncate).
 */
export class FileInput {
  private readonly tracked = new Map<string, Tracked>();
  private firstScan = true;
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Patterns that are plain paths (no exclusions to apply): found with a stat, no glob. */
  private readonly literal: string[];
  private readonly patterns: string[];
  private globbed: { at: number; paths: string[] } = { at: 0, paths: [] };

  constructor(
    private readonly cfg: FileInputConfig,
    private readonly tail: TailConfig,
    private readonly output: Output,
    private readonly cursors: ReadonlyMap<string, unknown>,
    private readonly forget: (key: string) => void,
    private readonly logger: Logger,
  ) {
    const plain = cfg.exclude.length === 0 ? cfg.paths.filter((p) => !isDynamicPattern(p)) : [];
    this.literal = plain;
    this.patterns = cfg.paths.filter((p) => !plain.includes(p));
  }

  get name(): string {
    return this.cfg.name;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops reading; events held back (a partial line, an open multi-line group) are re-read on the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    for (const t of this.tracked.values()) await t.fh.close().catch(() => undefined);
    this.tracked.clear();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.poll(Date.now() - this.globbed.at >= GLOB_EVERY_MS);
      } catch (err) {
        this.logger.error({ err, input: this.cfg.name }, 'file input poll failed; retrying');
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.tail.pollMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  private cursorKey(id: string): string {
    return `file:${this.cfg.name}:${id}`;
  }

  private cursorOf(id: string): FileCursor | undefined {
    return this.cursors.get(this.cursorKey(id)) as FileCursor | undefined;
  }

  /**
   * One pass: find files, notice rotations, read what is new. `glob: false` matches the glob
   * patterns as last time (literal paths are always looked at). Exposed for tests.
   */
  async poll(glob = true): Promise<void> {
    const live = await this.discover(glob || this.firstScan);
    if (this.firstScan) await this.findMoved(live);
    for (const t of this.tracked.values()) {
      const now = live.get(t.id);
      if (now) t.path = now;
      else if (!t.rotated) {
        t.rotated = true;
        this.logger.info(
          { input: this.cfg.name, path: t.path },
          'file rotated or removed; reading it to its end',
        );
      }
    }
    await this.trackNew(live);
    this.firstScan = false;

    // Rotated files hold older lines than the files that replaced them: read them first.
    const order = [...this.tracked.values()].sort((a, b) => Number(b.rotated) - Number(a.rotated));
    for (const t of order) {
      if (this.stopped) return;
      await this.read(t);
    }
  }

  private async trackNew(live: Map<string, string>): Promise<void> {
    // Files we have a position for first: a copytruncate copy is matched against them.
    const fresh = [...live].filter(([id]) => !this.tracked.has(id));
    fresh.sort(([a], [b]) => Number(!this.cursorOf(a)) - Number(!this.cursorOf(b)));
    for (const [id, path] of fresh) await this.track(id, path, false);
  }

  private async discover(globAgain = true): Promise<Map<string, string>> {
    if (globAgain && this.patterns.length) {
      const paths = await glob(this.patterns, {
        absolute: true,
        onlyFiles: true,
        ignore: this.cfg.exclude,
        followSymbolicLinks: true,
      });
      this.globbed = { at: Date.now(), paths };
    }
    const paths = [...this.literal, ...this.globbed.paths];
    const live = new Map<string, string>();
    for (const path of paths.sort()) {
      const st = await stat(path).catch(() => undefined);
      if (!st?.isFile()) continue;
      const id = `${st.dev}:${st.ino}`;
      if (!live.has(id)) live.set(id, path);
    }
    return live;
  }

  /**
   * At start-up, files we had a position in that no glob matches any more were rotated away
   * while the agent was down: find them by inode next to where they were, and finish them.
   */
  private async findMoved(live: Map<string, string>): Promise<void> {
    const prefix = `file:${this.cfg.name}:`;
    for (const [key, value] of this.cursors) {
      if (!key.startsWith(prefix)) continue;
      const c = value as FileCursor;
      const id = `${c.dev}:${c.ino}`;
      if (live.has(id)) continue;
      const dir = dirname(c.path);
      let found: string | undefined;
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const st = await stat(join(dir, name)).catch(() => undefined);
        if (st && st.dev === c.dev && st.ino === c.ino) {
          found = join(dir, name);
          break;
        }
      }
      if (found) await this.track(id, found, true);
      else this.forget(key);
    }
  }

  private async track(id: string, path: string, rotated: boolean): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      this.logger.warn(
        { input: this.cfg.name, path, err: { message: (err as Error).message } },
        'cannot open file',
      );
      return;
    }
    const st = await fh.stat();
    if (`${st.dev}:${st.ino}` !== id) {
      // Replaced between the glob and the open: the next poll sees the new file.
      await fh.close();
      return;
    }
    const fp = await fingerprint(fh, st.size);
    const cursor = this.cursorOf(id);
    let offset = 0;
    let previous: Tracked['previous'];
    let copyOf: Tracked['copyOf'];
    if (cursor) {
      const cfp = { hash: cursor.fp, len: cursor.fpLen };
      if (cursor.offset <= st.size && (await sameStart(fh, cfp))) offset = cursor.offset;
      else {
        previous = { fp: cfp, offset: cursor.offset };
        this.logger.info(
          { input: this.cfg.name, path },
          'file was truncated or replaced while we were away; reading it from the start',
        );
      }
    } else {
      const twin = await this.originalOf(fh, path);
      if (twin) {
        offset = st.size;
        copyOf = { ...twin, since: Date.now() };
      } else if (this.firstScan && this.cfg.startAt === 'end') offset = st.size;
    }
    const t: Tracked = {
      id,
      dev: st.dev,
      ino: st.ino,
      path,
      fh,
      readOffset: offset,
      committed: offset,
      fp,
      splitter: new LineSplitter(this.cfg.maxLineBytes, offset),
      grouper: this.cfg.multiline
        ? new MultilineGrouper({
            start: new RegExp(this.cfg.multiline.start),
            maxLines: this.cfg.multiline.maxLines,
            maxBytes: this.cfg.maxLineBytes,
          })
        : undefined,
      rotated,
      lastData: Date.now(),
      seen: { size: -1, mtimeMs: -1 },
    };
    if (previous) t.previous = previous;
    if (copyOf) t.copyOf = copyOf;
    this.tracked.set(id, t);
  }

  /**
   * Is this new file a copy of one we read (logrotate's copytruncate)? Reading the copy from
   * where the original stopped ships exactly the lines the truncation took away; until the
   * original is truncated we do not know where that is, so the copy waits.
   */
  private async originalOf(fh: FileHandle, path: string): Promise<{ id: string; fp: string } | undefined> {
    for (const o of this.tracked.values()) {
      if (dirname(o.path) !== dirname(path) || o.copyOf) continue;
      if (o.previous && o.previous.fp.len > 0 && (await sameStart(fh, o.previous.fp)))
        return { id: o.id, fp: o.previous.fp.hash };
      if (o.fp.len > 0 && o.committed > 0 && (await sameStart(fh, o.fp))) return { id: o.id, fp: o.fp.hash };
    }
    return undefined;
  }

  private async read(t: Tracked): Promise<void> {
    if (t.copyOf && !this.settleCopy(t)) return;
    const st = await t.fh.stat();
    const changed = st.size !== t.seen.size || st.mtimeMs !== t.seen.mtimeMs;
    t.seen = { size: st.size, mtimeMs: st.mtimeMs };
    if (changed && (st.size < t.readOffset || (t.fp.len > 0 && !(await sameStart(t.fh, t.fp))))) {
      await this.truncated(t);
    }
    const now = Date.now();
    let size = st.size;
    while (t.readOffset < size && !this.stopped) {
      const want = Math.min(CHUNK, size - t.readOffset);
      const { bytesRead } = await t.fh.read(this.buf, 0, want, t.readOffset);
      if (!bytesRead) break;
      if (t.fp.len < FINGERPRINT_BYTES && t.readOffset + bytesRead > t.fp.len) {
        t.fp = await fingerprint(t.fh, t.readOffset + bytesRead);
      }
      t.readOffset += bytesRead;
      t.lastData = now;
      for (const line of t.splitter.push(this.buf.subarray(0, bytesRead))) await this.line(t, line);
      if (t.readOffset >= size) size = (await t.fh.stat()).size;
    }
    const group = t.grouper;
    if (group?.pending && now - group.lastGrowth >= (this.cfg.multiline?.timeoutMs ?? 0)) {
      await this.ship(t, group.flush()!);
    }
    if (t.rotated && now - t.lastData >= this.tail.closeInactiveMs) await this.close(t);
  }

  /** A copy's original was truncated (read the copy from where the original stopped) or not (a plain copy). */
  private settleCopy(t: Tracked): boolean {
    const original = this.tracked.get(t.copyOf!.id);
    if (original?.previous?.fp.hash === t.copyOf!.fp) {
      const from = original.previous.offset;
      t.readOffset = Math.min(from, t.readOffset);
      t.committed = t.readOffset;
      t.splitter = new LineSplitter(this.cfg.maxLineBytes, t.readOffset);
      delete t.copyOf;
      return true;
    }
    if (original && Date.now() - t.copyOf!.since < this.tail.closeInactiveMs) return false;
    // Never truncated: a copy of lines already shipped; only what is appended to it is new.
    delete t.copyOf;
    return true;
  }

  private async truncated(t: Tracked): Promise<void> {
    this.logger.info(
      { input: this.cfg.name, path: t.path },
      'file truncated (copytruncate); reading it from the start',
    );
    // Lines of the old content already read are shipped; its unfinished tail is gone with it.
    const group = t.grouper?.flush();
    if (group) await this.ship(t, group);
    t.previous = { fp: t.fp, offset: t.committed };
    t.readOffset = 0;
    t.committed = 0;
    t.splitter = new LineSplitter(this.cfg.maxLineBytes, 0);
    t.fp = await fingerprint(t.fh, (await t.fh.stat()).size);
    // The copy holds the lines between where we stopped and the truncation: ship them before
    // the new content, so the file's lines stay in order. It may have appeared since this
    // poll's scan (logrotate copies, then truncates): look again.
    await this.trackNew(await this.discover());
    for (const c of [...this.tracked.values()]) if (c.copyOf?.id === t.id) await this.read(c);
  }

  private async close(t: Tracked): Promise<void> {
    // The writer has moved on: a last line without its newline is complete now.
    const partial = t.splitter.flushPartial();
    if (partial) await this.line(t, partial);
    const group = t.grouper?.flush();
    if (group) await this.ship(t, group);
    await t.fh.close();
    this.tracked.delete(t.id);
    this.forget(this.cursorKey(t.id));
    this.logger.info({ input: this.cfg.name, path: t.path }, 'finished rotated file');
  }

  private async line(t: Tracked, line: Line): Promise<void> {
    if (!t.grouper) return this.ship(t, line);
    const done = t.grouper.push(line);
    if (done) await this.ship(t, done);
  }

  private async ship(t: Tracked, line: Line): Promise<void> {
    const body: EventBody = parseLine(this.cfg.format, line.text);
    body.source = { path: t.path, offset: line.start };
    if (line.truncated) body.truncated = true;
    const value: FileCursor = {
      path: t.path,
      dev: t.dev,
      ino: t.ino,
      offset: line.end,
      fp: t.fp.hash,
      fpLen: t.fp.len,
    };
    const cursor: Cursor = { key: this.cursorKey(t.id), value };
    t.committed = line.end;
    await this.output.write(this.cfg.name, body, cursor);
  }
}

import { type FileHandle, mkdir, open, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { type BufferRecord, decodeRecord, encodeRecord } from './record.ts';
import { type BufferState, readState, writeState } from './state.ts';

export type FsyncPolicy = 'always' | 'interval' | 'never';
export type WhenFull = 'drop_oldest' | 'block';

export interface DiskBufferOptions {
  dir: string;
  /** Bound on the segment files together; reached, the oldest is dropped or writers wait. */
  maxBytes: number;
  segmentBytes: number;
  /**
   * `always`: every append is fsynced before it counts; `interval`: fsync every
   * `fsyncIntervalMs`; `never`: leave it to the OS (survives kill -9, not power loss).
   * With `always` and `interval`, nothing is handed to the publisher before it is synced,
   * so a sequence number that left the agent can never be reused after a power loss.
   */
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  whenFull: WhenFull;
  /** How often the acked position and cursors are persisted (they are also persisted before a segment is deleted). */
  stateIntervalMs: number;
  /** Told of every drop, per input, so nothing is dropped silently. */
  onDrop?: (dropped: Map<string, number>) => void;
  /** Told when recovery cuts a torn or corrupt record. */
  onCorrupt?: (file: string, offset: number, reason: string) => void;
}

interface Segment {
  firstSeq: number;
  lastSeq: number;
  path: string;
  /** Bytes written. */
  bytes: number;
  /** Bytes the reader may hand out: written, and synced when the policy says so. */
  readable: number;
}

/** A record as appended, with where it sits: handed to the reader without reading it back. */
interface Recent {
  seg: Segment;
  offset: number;
  size: number;
  record: BufferRecord;
}

/** Bound on the appended records kept in memory for the reader (beyond it, it reads the files). */
const RECENT_MAX_BYTES = 2 * 1024 * 1024;

const SEGMENT_SUFFIX = '.seg';
const segmentName = (firstSeq: number) => `${String(firstSeq).padStart(16, '0')}${SEGMENT_SUFFIX}`;

/**
 * An append-only log of events in segment files, bounded in bytes: the agent's write-ahead log.
 * Every event goes through it, together with its reader's position, so a kill -9 at any moment
 * restarts with each event either in the log (and then sent again with the same sequence, which
 * JetStream de-duplicates) or not yet read from its source. Appends must not overlap (the
 * output serialises them); one consumer reads in order and acknowledges what JetStream stored.
 */
export class DiskBuffer {
  private segments: Segment[] = [];
  private writer: FileHandle | undefined;
  private writerSeg: Segment | undefined;
  private next = 1;
  private acked = 0;
  /** Highest sequence handed to the consumer: records above it that get dropped were never sent. */
  private lastRead = 0;
  private readSeg = 0;
  private readOffset = 0;
  private readHandle: { path: string; fh: FileHandle } | undefined;
  private readonly cursorMap = new Map<string, unknown>();
  private readonly pendingByInput = new Map<string, number>();
  private readonly droppedByInput = new Map<string, number>();
  private totalBytes = 0;
  private dataWaiters: Array<() => void> = [];
  private spaceWaiters: Array<() => void> = [];
  private stateDirty = false;
  private stateWrite: Promise<void> = Promise.resolve();
  private syncing: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  /**
   * The records appended lately, in order: while the reader keeps up (the usual case) it takes
   * them from here instead of reading, checking and decoding what was just written. Entries
   * are matched by position, so a record is handed out from memory only where the file holds
   * the same bytes; entries the reader has passed are dropped.
   */
  private recent: Recent[] = [];
  private recentHead = 0;
  private recentBytes = 0;
  /** Serialises what moves the read position or deletes segments, which interleave at awaits. */
  private mutex: Promise<unknown> = Promise.resolve();

  private constructor(private readonly opts: DiskBufferOptions) {}

  static async open(opts: DiskBufferOptions): Promise<DiskBuffer> {
    if (opts.maxBytes < 2 * opts.segmentBytes)
      throw new Error('buffer maxBytes must be at least twice segmentBytes');
    const b = new DiskBuffer(opts);
    await b.recover();
    if (opts.fsync === 'interval') b.every(opts.fsyncIntervalMs, () => b.sync());
    b.every(opts.stateIntervalMs, () => (b.stateDirty ? b.persistState() : undefined));
    return b;
  }

  get nextSeq(): number {
    return this.next;
  }
  get ackedSeq(): number {
    return this.acked;
  }
  get bytes(): number {
    return this.totalBytes;
  }
  /** Records not yet acknowledged by JetStream, per input. */
  get pending(): ReadonlyMap<string, number> {
    return this.pendingByInput;
  }
  get dropped(): ReadonlyMap<string, number> {
    return this.droppedByInput;
  }
  /** Every reader's latest position, as recovered from the state file and the log's tail. */
  get cursors(): ReadonlyMap<string, unknown> {
    return this.cursorMap;
  }

  /** Forget a reader's position (its source is gone); persisted with the next state write. */
  forget(key: string): void {
    if (this.cursorMap.delete(key)) this.stateDirty = true;
  }

  private get statePath(): string {
    return join(this.opts.dir, 'state.json');
  }
  private get segmentDir(): string {
    return join(this.opts.dir, 'segments');
  }

  private every(ms: number, fn: () => unknown): void {
    const t = setInterval(() => void fn(), ms);
    t.unref();
    this.timers.push(t);
  }

  private async recover(): Promise<void> {
    await mkdir(this.segmentDir, { recursive: true });
    const state = await readState(this.statePath);
    if (state) {
      this.next = state.nextSeq;
      this.acked = state.ackedSeq;
      for (const [k, v] of Object.entries(state.cursors)) this.cursorMap.set(k, v);
    }
    const stateNext = this.next;
    const names = (await readdir(this.segmentDir)).filter((n) => n.endsWith(SEGMENT_SUFFIX)).sort();
    for (const name of names) {
      const path = join(this.segmentDir, name);
      const buf = await readFile(path);
      let at = 0;
      let lastSeq = 0;
      let firstSeq = 0;
      while (at < buf.length) {
        const d = decodeRecord(buf, at);
        if (d.kind !== 'record') {
          // A crash mid-append leaves a torn tail; cut it so appends continue from a clean end.
          this.opts.onCorrupt?.(path, at, d.kind === 'short' ? 'torn record at end' : d.reason);
          await truncate(path, at);
          break;
        }
        const r = d.record;
        firstSeq ||= r.seq;
        lastSeq = r.seq;
        if (r.seq > this.acked) this.bump(this.pendingByInput, r.input, 1);
        // Positions in the log are newer than the state file's for every record it had not seen.
        if (r.cursor && r.seq >= stateNext) this.cursorMap.set(r.cursor.key, r.cursor.value);
        at += d.size;
      }
      if (at === 0 || lastSeq <= this.acked) {
        await rm(path, { force: true });
        continue;
      }
      this.segments.push({ firstSeq, lastSeq, path, bytes: at, readable: at });
      this.totalBytes += at;
      this.next = Math.max(this.next, lastSeq + 1);
    }
    this.lastRead = this.acked;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.mutex.then(fn, fn);
    this.mutex = run.catch(() => undefined);
    return run;
  }

  private bump(map: Map<string, number>, key: string, by: number): void {
    const v = (map.get(key) ?? 0) + by;
    if (v === 0) map.delete(key);
    else map.set(key, v);
  }

  /**
   * Appends records whose sequences continue `nextSeq`. Resolves once they are written (and
   * synced, with `fsync: always`). With `whenFull: block` it waits for acknowledgements to make
   * room; with `drop_oldest` it drops the oldest segments and reports what they held.
   */
  async append(records: BufferRecord[]): Promise<void> {
    if (this.closed) throw new Error('buffer closed');
    if (!records.length) return;
    if (records[0]!.seq !== this.next)
      throw new Error(`append out of order: ${records[0]!.seq} != ${this.next}`);
    const encoded = records.map(encodeRecord);
    // At most a segment at a time: room is made per chunk, so a batch larger than the whole
    // buffer still leaves it within maxBytes (its own oldest part is what gets dropped).
    for (let i = 0; i < records.length; ) {
      let j = i + 1;
      let size = encoded[i]!.length;
      while (j < records.length && size + encoded[j]!.length <= this.opts.segmentBytes)
        size += encoded[j++]!.length;
      await this.appendChunk(records.slice(i, j), encoded.slice(i, j), size);
      i = j;
    }
  }

  private async appendChunk(records: BufferRecord[], encoded: Buffer[], size: number): Promise<void> {
    const data = encoded.length === 1 ? encoded[0]! : Buffer.concat(encoded, size);
    await this.makeRoom(data.length);
    if (!this.writer || !this.writerSeg || this.writerSeg.bytes >= this.opts.segmentBytes) {
      await this.roll(records[0]!.seq);
    }
    const seg = this.writerSeg!;
    await this.writer!.write(data, 0, data.length, seg.bytes);
    if (this.opts.fsync === 'always') await this.writer!.datasync();
    this.remember(seg, seg.bytes, records, encoded);
    seg.bytes += data.length;
    seg.lastSeq = records[records.length - 1]!.seq;
    if (this.opts.fsync !== 'interval') seg.readable = seg.bytes;
    this.totalBytes += data.length;
    this.next = seg.lastSeq + 1;
    for (const r of records) {
      this.bump(this.pendingByInput, r.input, 1);
      if (r.cursor) this.cursorMap.set(r.cursor.key, r.cursor.value);
    }
    this.stateDirty = true;
    if (this.opts.fsync !== 'interval') this.wakeReaders();
  }

  private remember(seg: Segment, at: number, records: BufferRecord[], encoded: Buffer[]): void {
    for (let i = 0; i < records.length; i++) {
      const size = encoded[i]!.length;
      if (this.recentBytes + size <= RECENT_MAX_BYTES) {
        this.recent.push({ seg, offset: at, size, record: records[i]! });
        this.recentBytes += size;
      }
      at += size;
    }
  }

  /** The record at the read position if it is among the recent ones; drops those passed. */
  private fromMemory(seg: Segment): Recent | undefined {
    while (this.recentHead < this.recent.length) {
      const c = this.recent[this.recentHead]!;
      const passed = c.record.seq <= this.lastRead;
      const here = c.seg === seg && c.offset === this.readOffset && c.offset + c.size <= seg.readable;
      if (!passed && !here) return undefined;
      this.recentHead++;
      this.recentBytes -= c.size;
      if (this.recentHead === this.recent.length) {
        this.recent = [];
        this.recentHead = 0;
      } else if (this.recentHead >= 1024 && this.recentHead * 2 >= this.recent.length) {
        this.recent = this.recent.slice(this.recentHead);
        this.recentHead = 0;
      }
      if (here && !passed) return c;
    }
    return undefined;
  }

  private async roll(firstSeq: number): Promise<void> {
    await this.closeWriter();
    const path = join(this.segmentDir, segmentName(firstSeq));
    this.writer = await open(path, 'w');
    this.writerSeg = { firstSeq, lastSeq: firstSeq - 1, path, bytes: 0, readable: 0 };
    this.segments.push(this.writerSeg);
  }

  private async closeWriter(): Promise<void> {
    if (!this.writer || !this.writerSeg) return;
    const fh = this.writer;
    const seg = this.writerSeg;
    this.writer = undefined;
    this.writerSeg = undefined;
    if (this.opts.fsync !== 'never') await fh.datasync();
    await fh.close();
    seg.readable = seg.bytes;
    this.wakeReaders();
  }

  /** The `interval` policy's fsync; what it covered becomes readable. */
  async sync(): Promise<void> {
    if (this.syncing) return this.syncing;
    const fh = this.writer;
    const seg = this.writerSeg;
    if (!fh || !seg || seg.readable === seg.bytes) return;
    const upTo = seg.bytes;
    this.syncing = fh
      .datasync()
      .then(() => {
        seg.readable = Math.max(seg.readable, upTo);
        this.wakeReaders();
      })
      .catch(() => undefined)
      .finally(() => {
        this.syncing = undefined;
      });
    return this.syncing;
  }

  private async makeRoom(incoming: number): Promise<void> {
    while (this.totalBytes + incoming > this.opts.maxBytes && !this.closed) {
      const oldest = this.segments[0];
      if (!oldest) return;
      if (await this.exclusive(() => this.reclaim(true))) continue;
      if (this.opts.whenFull === 'block') {
        await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
        continue;
      }
      await this.exclusive(async () => {
        if (this.segments[0] === this.writerSeg) await this.closeWriter();
        if (this.segments[0]) await this.dropOldest();
      });
    }
    if (this.closed) throw new Error('buffer closed');
  }

  /**
   * Deletes segments JetStream has acknowledged in full. The segment being written is kept
   * unless `rollWriter` (space is needed now): appends continue in a new one.
   */
  private async reclaim(rollWriter: boolean): Promise<boolean> {
    let freed = false;
    for (let seg = this.segments[0]; seg && seg.lastSeq <= this.acked; seg = this.segments[0]) {
      if (seg === this.writerSeg) {
        if (!rollWriter) break;
        await this.closeWriter();
      }
      await this.removeFirst();
      freed = true;
    }
    return freed;
  }

  private async dropOldest(): Promise<void> {
    const seg = this.segments[0]!;
    // Records the consumer has not taken are lost: count them per input before the file goes.
    const lost = new Map<string, number>();
    const buf = await readFile(seg.path);
    for (let at = 0; at < seg.bytes; ) {
      const d = decodeRecord(buf, at);
      if (d.kind !== 'record') break;
      if (d.record.seq > this.lastRead) this.bump(lost, d.record.input, 1);
      if (d.record.seq > this.acked) this.bump(this.pendingByInput, d.record.input, -1);
      at += d.size;
    }
    await this.removeFirst();
    this.lastRead = Math.max(this.lastRead, seg.lastSeq);
    // Dropped records will never be acknowledged: count them as settled so acks stay contiguous.
    this.acked = Math.max(this.acked, seg.lastSeq);
    for (const [input, n] of lost) this.bump(this.droppedByInput, input, n);
    if (lost.size) this.opts.onDrop?.(lost);
  }

  /** Deletes the oldest segment and keeps the read position on the same record. */
  private async removeFirst(): Promise<void> {
    const seg = this.segments[0]!;
    // The cursors of the records in this segment must outlive it: persist them first.
    await this.persistState();
    this.segments.shift();
    if (this.readSeg > 0) this.readSeg--;
    else this.readOffset = 0;
    this.totalBytes -= seg.bytes;
    if (this.readHandle?.path === seg.path) {
      await this.readHandle.fh.close();
      this.readHandle = undefined;
    }
    await rm(seg.path, { force: true });
  }

  /**
   * The next records in order, at most `maxRecords` and about `maxBytes` (always at least one
   * if any is readable); empty when the consumer has caught up. Each record is handed out once.
   */
  read(maxRecords: number, maxBytes: number): Promise<BufferRecord[]> {
    return this.exclusive(() => this.readLocked(maxRecords, maxBytes));
  }

  private async readLocked(maxRecords: number, maxBytes: number): Promise<BufferRecord[]> {
    const out: BufferRecord[] = [];
    let bytes = 0;
    while (out.length < maxRecords && bytes < maxBytes) {
      const seg = this.segments[this.readSeg];
      if (!seg) break;
      if (this.readOffset >= seg.readable) {
        if (seg === this.writerSeg || this.readSeg === this.segments.length - 1) break;
        this.readSeg++;
        this.readOffset = 0;
        continue;
      }
      const mem = this.fromMemory(seg);
      if (mem) {
        if (this.take(mem.record, out)) bytes += mem.size;
        this.readOffset += mem.size;
        continue;
      }
      const fh = await this.handleFor(seg.path);
      const want = Math.min(seg.readable - this.readOffset, Math.max(maxBytes - bytes, 64 * 1024));
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(buf, 0, want, this.readOffset);
      let at = 0;
      let progressed = false;
      while (at < bytesRead && out.length < maxRecords) {
        const d = decodeRecord(buf.subarray(0, bytesRead), at);
        if (d.kind === 'short') {
          if (!progressed && d.need > bytesRead) {
            // One record larger than the chunk: read exactly it.
            const big = Buffer.allocUnsafe(d.need);
            await fh.read(big, 0, d.need, this.readOffset);
            const whole = decodeRecord(big, 0);
            if (whole.kind !== 'record')
              throw new Error(`${seg.path}: unreadable record at ${this.readOffset}`);
            if (this.take(whole.record, out)) bytes += whole.size;
            this.readOffset += whole.size;
          }
          break;
        }
        if (d.kind === 'corrupt') throw new Error(`${seg.path}: ${d.reason} at ${this.readOffset + at}`);
        // Skipped records do not count: a read must not come back empty while records remain.
        if (this.take(d.record, out)) bytes += d.size;
        at += d.size;
        progressed = true;
        if (bytes >= maxBytes) break;
      }
      this.readOffset += at;
    }
    return out;
  }

  private take(r: BufferRecord, out: BufferRecord[]): boolean {
    // After recovery the oldest segment may start with records JetStream already has.
    if (r.seq <= this.lastRead) return false;
    this.lastRead = r.seq;
    out.push(r);
    return true;
  }

  private async handleFor(path: string): Promise<FileHandle> {
    if (this.readHandle?.path === path) return this.readHandle.fh;
    await this.readHandle?.fh.close();
    this.readHandle = { path, fh: await open(path, 'r') };
    return this.readHandle.fh;
  }

  /** Resolves when more may be readable (an append, a sync, a roll) or the buffer closes. */
  waitForData(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      signal?.addEventListener('abort', done);
      this.dataWaiters.push(done);
    });
  }

  private wakeReaders(): void {
    const w = this.dataWaiters;
    this.dataWaiters = [];
    for (const f of w) f();
  }

  /** JetStream stored these records (a contiguous run from the consumer): their segments may go. */
  async ack(records: readonly BufferRecord[]): Promise<void> {
    if (!records.length) return;
    for (const r of records) if (r.seq > this.acked) this.bump(this.pendingByInput, r.input, -1);
    this.acked = Math.max(this.acked, records[records.length - 1]!.seq);
    this.stateDirty = true;
    await this.exclusive(() => this.reclaim(false));
    const w = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const f of w) f();
  }

  /** Persists the acked position and cursors; calls are serialised so the newest state wins. */
  persistState(): Promise<void> {
    const state: BufferState = {
      nextSeq: this.next,
      ackedSeq: this.acked,
      cursors: Object.fromEntries(this.cursorMap),
    };
    this.stateDirty = false;
    this.stateWrite = this.stateWrite
      .catch(() => undefined)
      .then(() => writeState(this.statePath, state, this.opts.fsync !== 'never'));
    return this.stateWrite;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.recent = [];
    this.recentHead = 0;
    this.recentBytes = 0;
    await this.closeWriter();
    await this.readHandle?.fh.close();
    this.readHandle = undefined;
    await this.persistState();
    this.wakeReaders();
    for (const f of this.spaceWaiters) f();
    this.spaceWaiters = [];
  }
}

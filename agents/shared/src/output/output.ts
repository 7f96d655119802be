import type { DiskBuffer } from '../buffer/disk-buffer.ts';
import type { BufferRecord } from '../buffer/record.ts';
import { buildMessage, type EventBody } from '../message.ts';
import { telemetrySubject } from '../subjects.ts';
import type { InputCounters } from './stats.ts';

export interface OutputOptions {
  agentId: string;
  hostName: string;
  buffer: DiskBuffer;
  counters: InputCounters;
  /** Events gathered into one disk append (one write, one fsync at most). */
  appendMaxEvents: number;
  /** How long a partial append batch may wait for more events. */
  appendLingerMs: number;
  /** Bound on encoded events waiting in memory; beyond it `write()` waits. */
  maxPendingBytes: number;
}

/** A reader's position to persist with an event: see BufferRecord.cursor. */
export interface Cursor {
  key: string;
  value: unknown;
}

/**
 * Where readers put events. `write()` assigns the sequence, encodes the message and queues it
 * for the next disk append; it resolves at once while memory allows and waits (backpressure)
 * when `maxPendingBytes` is reached, so memory is bounded whatever the input rate.
 */
export class Output {
  private pending: BufferRecord[] = [];
  private pendingBytes = 0;
  private seq: number;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  private onFailure: (err: Error) => void = () => {};
  /** Rejects when an append fails (disk full, I/O error): the agent cannot go on and should exit. */
  readonly failed: Promise<never> = new Promise((_, reject) => {
    this.onFailure = reject;
  });
  private readonly encoder = new TextEncoder();

  constructor(private readonly opts: OutputOptions) {
    this.seq = opts.buffer.nextSeq;
    // Observed by whoever runs the agent; never an unhandled rejection when nobody does.
    this.failed.catch(() => undefined);
  }

  async write(input: string, body: EventBody, cursor?: Cursor): Promise<void> {
    if (this.failure) throw this.failure;
    const seq = this.seq++;
    const message = buildMessage(this.opts.agentId, this.opts.hostName, input, seq, body);
    const payload = this.encoder.encode(JSON.stringify(message));
    const record: BufferRecord = {
      seq,
      subject: telemetrySubject(this.opts.agentId, input),
      input,
      time: Date.now(),
      payload,
    };
    if (cursor) record.cursor = cursor;
    this.pending.push(record);
    this.pendingBytes += payload.length;
    this.opts.counters.add(this.opts.counters.read, input);
    if (this.pending.length >= this.opts.appendMaxEvents || this.pendingBytes >= this.opts.maxPendingBytes) {
      await this.flush();
    } else {
      this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.opts.appendLingerMs);
    }
  }

  /** Appends everything written so far; resolves when it is in the buffer. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.pending;
    if (!batch.length) return this.chain;
    this.pending = [];
    this.pendingBytes = 0;
    // Appends run one after another, so sequences reach the buffer in order.
    this.chain = this.chain.then(() =>
      this.opts.buffer.append(batch).catch((err: Error) => {
        // A failed append leaves a gap in the sequence: nothing after it may be written.
        this.failure = err;
        this.onFailure(err);
        throw err;
      }),
    );
    return this.chain;
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { DiskBuffer } from '../buffer/disk-buffer.ts';
import type { BufferRecord } from '../buffer/record.ts';
import { messageId } from '../message.ts';
import { inboxPrefix } from '../subjects.ts';
import { type BatchPublisher, ConnectionBatches, jetStreamBatches } from './batch-publish.ts';
import type { InputCounters } from './stats.ts';

export interface PublisherOptions {
  agentId: string;
  buffer: DiskBuffer;
  counters: InputCounters;
  logger: Logger;
  /** A batch is published when it holds this many events… */
  batchMaxEvents: number;
  batchMaxBytes: number;
  /** …or when its first event has waited this long. */
  lingerMs: number;
  ackTimeoutMs: number;
  retryMinMs: number;
  retryMaxMs: number;
}

/**
 * Moves records from the buffer to JetStream in order. A batch is published pipelined, each
 * message with its `Nats-Msg-Id`, and acknowledged to the buffer only when every publish was
 * acked; after a failure the batch is sent again from the first unacked message, and what
 * JetStream already stored comes back as a duplicate and is not stored twice.
 */
export class Publisher {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private failing = false;
  /** False while publishes fail (NATS unreachable, stream missing): events wait in the buffer. */
  get healthy(): boolean {
    return !this.failing;
  }
  /** Time the oldest record not yet acknowledged was appended: the heartbeat's lag. */
  private oldestInFlight: number | undefined;
  private js: BatchPublisher | undefined;
  private clientWaiters: Array<() => void> = [];

  constructor(private readonly opts: PublisherOptions) {}

  /** The current NATS connection; undefined while there is none. See ConnectionBatches. */
  setConnection(nc: NatsConnection | undefined): void {
    if (this.js instanceof ConnectionBatches) this.js.close();
    this.setPublisher(nc ? new ConnectionBatches(nc, inboxPrefix(this.opts.agentId)) : undefined);
  }

  /** Publishes through a JetStream client's `publish`, one request per event (tests). */
  setClient(js: JetStreamClient | undefined): void {
    this.setPublisher(js ? jetStreamBatches(js) : undefined);
  }

  private setPublisher(js: BatchPublisher | undefined): void {
    this.js = js;
    if (js) {
      for (const w of this.clientWaiters.splice(0)) w();
    }
  }

  private waitForClient(): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done);
      this.clientWaiters.push(done);
    });
  }

  start(): void {
    this.loop ??= this.run().catch((err: unknown) => {
      if (!this.abort.signal.aborted) this.opts.logger.error({ err }, 'publisher stopped');
    });
  }

  /** Milliseconds the oldest unacknowledged event has waited; 0 when caught up. */
  lagMs(now = Date.now()): number {
    return this.oldestInFlight === undefined ? 0 : now - this.oldestInFlight;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { buffer, batchMaxEvents: max, batchMaxBytes: maxBytes } = this.opts;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const batch = await buffer.read(max, maxBytes);
      if (!batch.length) {
        await buffer.waitForData(signal);
        continue;
      }
      this.oldestInFlight = batch[0]!.time;
      if (batch.length < max && this.opts.lingerMs > 0) {
        const waited = Date.now() - batch[0]!.time;
        if (waited < this.opts.lingerMs)
          await sleep(this.opts.lingerMs - waited, undefined, { signal }).catch(() => {});
        batch.push(...(await buffer.read(max - batch.length, maxBytes)));
      }
      if (!(await this.deliver(batch))) return;
      await buffer.ack(batch);
      for (const r of batch) this.opts.counters.add(this.opts.counters.sent, r.input);
      this.oldestInFlight = undefined;
    }
  }

  /** Publishes until JetStream acked every record; false if stopped first. */
  private async deliver(batch: BufferRecord[]): Promise<boolean> {
    const { agentId, ackTimeoutMs, counters } = this.opts;
    let from = 0;
    let delay = this.opts.retryMinMs;
    while (from < batch.length) {
      if (this.abort.signal.aborted) return false;
      const js = this.js;
      if (!js) {
        await this.waitForClient();
        continue;
      }
      const slice = from ? batch.slice(from) : batch;
      const results = await js.publish(
        slice,
        slice.map((r) => messageId(agentId, r.seq)),
        ackTimeoutMs,
      );
      let failedAt = -1;
      for (let i = 0; i < results.length; i++) {
        const res = results[i]!;
        if (!res.ok) {
          if (failedAt < 0) failedAt = i;
        } else if (res.duplicate) {
          counters.add(counters.duplicates, slice[i]!.input);
        }
      }
      if (failedAt < 0) {
        if (this.failing) this.opts.logger.info({ seq: slice[0]!.seq }, 'publishing to JetStream again');
        this.failing = false;
        return true;
      }
      if (!this.failing) {
        const err = (results[failedAt] as { error: Error }).error;
        this.opts.logger.warn(
          { err: { message: err.message, code: (err as { code?: string }).code }, seq: slice[failedAt]!.seq },
          'JetStream publish failed; events stay in the disk buffer and are retried in order',
        );
      }
      this.failing = true;
      from += failedAt;
      await sleep(delay, undefined, { signal: this.abort.signal }).catch(() => {});
      delay = Math.min(delay * 2, this.opts.retryMaxMs);
    }
    return true;
  }
}

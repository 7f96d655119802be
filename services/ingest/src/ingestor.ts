import type { Client } from '@elastic/elasticsearch';
import type {
  Consumer,
  ConsumerMessages,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
} from '@nats-io/jetstream';
import { ensureDurable, ensureStream, type Logger, TELEMETRY_STREAM } from '@soc/core';
import type { NormalizeOptions } from '@soc/normalize';
import type { AssetSource } from './assets.ts';
import { Aborted, BulkWriter, type ItemOutcome } from './bulk.ts';
import type { IngestConfig } from './config.ts';
import type { IngestMetrics } from './metrics.ts';
import { deadLetterItem, type Prepared, prepare } from './prepare.ts';

interface Batch {
  items: Prepared[];
  bytes: number;
  startedMs: number;
}

/** Counts by label, added to a counter once per batch: a labelled `inc` per message costs more than the rest of the bookkeeping. */
function tally<T>(
  items: readonly T[],
  label: (item: T, i: number) => string | undefined,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const k = label(items[i]!, i);
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/**
 * The pipeline of one ingest process: pull from the shared durable consumer, normalise and
 * enrich each message as it arrives, group into bulks by count, bytes and age, write, and ack
 * every message only once Elasticsearch has its document (created, or already there). A
 * message is never acked before that, so a crash at any point only causes redelivery, which
 * the `_id` makes harmless.
 */
export class Ingestor {
  readonly #writer: BulkWriter;
  readonly #abort = new AbortController();
  readonly #inflight = new Set<Promise<void>>();
  #batch: Batch = { items: [], bytes: 0, startedMs: 0 };
  #messages: ConsumerMessages | undefined;
  #consumer: Consumer | undefined;
  #loop: Promise<void> | undefined;
  #timers: NodeJS.Timeout[] = [];
  readonly #normalizeOptions: NormalizeOptions;

  constructor(
    private readonly deps: {
      js: JetStreamClient;
      jsm: JetStreamManager;
      es: Client;
      config: IngestConfig;
      logger: Logger;
      metrics: IngestMetrics;
      assets: AssetSource;
    },
  ) {
    const c = deps.config;
    this.#writer = new BulkWriter(deps.es, c.retry, deps.logger, deps.metrics);
    this.#normalizeOptions = {
      keepOriginal: c.keepOriginal,
      parsers: c.parsers,
      timeZone: c.timeZone,
      maxMessageBytes: c.maxMessageBytes,
    };
  }

  async start(): Promise<void> {
    const { jsm, js, config: c } = this.deps;
    if (c.ensureStream && c.stream === TELEMETRY_STREAM.name) await ensureStream(jsm, TELEMETRY_STREAM);
    await ensureDurable(jsm, c.stream, {
      durable_name: c.consumer,
      filter_subject: c.filterSubject,
      ack_wait: c.ackWaitS * 1_000_000_000,
      max_ack_pending: c.maxAckPending,
      // never give up on a message: one Elasticsearch cannot take yet is retried, not dropped
      max_deliver: -1,
    });
    this.#consumer = await js.consumers.get(c.stream, c.consumer);
    this.#messages = await this.#consumer.consume({ max_messages: c.prefetch });
    this.#loop = this.#run(this.#messages);
    const tick = Math.max(10, Math.min(c.batch.flushMs, 100));
    this.#timers.push(setInterval(() => this.#onTick(), tick));
    this.#timers.push(setInterval(() => void this.#sampleLag(), c.lagIntervalS * 1000));
    for (const t of this.#timers) t.unref();
  }

  async #run(messages: ConsumerMessages): Promise<void> {
    const { config: c, logger } = this.deps;
    for await (const msg of messages) {
      let p: Prepared;
      try {
        p = prepare(msg, c, this.deps.assets.registry, this.#normalizeOptions);
      } catch (err) {
        // normalize never throws; this is a bug in enrichment or routing: keep the message
        logger.error(
          { err: (err as Error).message, subject: msg.subject, seq: msg.seq },
          'could not prepare a message; it will be redelivered',
        );
        msg.nak(5_000);
        continue;
      }
      if (!this.#batch.items.length) this.#batch.startedMs = Date.now();
      this.#batch.items.push(p);
      this.#batch.bytes += p.item.source.length + p.item.id.length + p.item.index.length + 40;
      if (this.#batch.items.length >= c.batch.maxDocs || this.#batch.bytes >= c.batch.maxBytes) {
        // Backpressure: with every slot busy, stop reading; the consumer stops pulling.
        while (this.#inflight.size >= c.batch.concurrency) await Promise.race(this.#inflight);
        this.#flush();
      }
    }
  }

  #onTick(): void {
    const c = this.deps.config;
    const b = this.#batch;
    if (
      b.items.length &&
      Date.now() - b.startedMs >= c.batch.flushMs &&
      this.#inflight.size < c.batch.concurrency
    )
      this.#flush();
  }

  #flush(): void {
    const batch = this.#batch;
    this.#batch = { items: [], bytes: 0, startedMs: 0 };
    if (!batch.items.length) return;
    for (const [source, n] of tally(batch.items, (p) => p.source))
      this.deps.metrics.eventsIn.inc({ source }, n);
    const p = this.#write(batch)
      .catch((err) => {
        if (err instanceof Aborted) return;
        this.deps.logger.error(
          { err: (err as Error).message, documents: batch.items.length },
          'batch failed; its messages will be redelivered',
        );
        for (const it of batch.items) it.msg.nak(5_000);
      })
      .finally(() => this.#inflight.delete(p));
    this.#inflight.add(p);
  }

  /** Keeps the batch's messages from being redelivered while Elasticsearch makes it wait. */
  #keepAlive(items: Prepared[]): () => void {
    let last = Date.now();
    const every = (this.deps.config.ackWaitS * 1000) / 3;
    return () => {
      if (Date.now() - last < every) return;
      last = Date.now();
      for (const it of items) it.msg.working();
    };
  }

  async #write(batch: Batch): Promise<void> {
    const { metrics, config: c, logger } = this.deps;
    const signal = this.#abort.signal;
    const onWait = this.#keepAlive(batch.items);
    const outcomes = await this.#writer.write(
      batch.items.map((p) => p.item),
      { signal, onWait },
    );
    // Documents Elasticsearch refused: their dead letters must be written before the ack.
    const refused: { p: Prepared; o: Extract<ItemOutcome, { status: 'rejected' }> }[] = [];
    outcomes.forEach((o, i) => {
      const p = batch.items[i]!;
      if (o.status === 'rejected' && p.event) refused.push({ p, o });
    });
    if (refused.length) {
      const dead = refused.map(({ p, o }) =>
        deadLetterItem(
          {
            data: p.msg.data,
            subject: p.msg.subject,
            streamSeq: p.msg.seq,
            deliveries: p.msg.info.deliveryCount,
            reason: 'rejected',
            detail: `${o.type}: ${o.reason}`,
            messageId: p.event!.id,
            agent: p.event!.agent,
            source: p.source,
            error: { type: o.type, reason: o.reason },
            document: JSON.parse(p.item.source) as Record<string, unknown>,
          },
          p.msg,
          c,
        ),
      );
      const deadOutcomes = await this.#writer.write(dead, { signal, onWait });
      deadOutcomes.forEach((o, k) => {
        if (o.status === 'rejected')
          // Not silent: counted and logged with the message's place in the stream.
          logger.error(
            { subject: refused[k]!.p.msg.subject, seq: refused[k]!.p.msg.seq, error: o },
            'dead letter refused too',
          );
        metrics.deadLetters.inc({ reason: o.status === 'rejected' ? 'unwritable' : 'rejected' });
      });
    }
    outcomes.forEach((o, i) => {
      const p = batch.items[i]!;
      p.msg.ack();
      if (!p.deadReason) return;
      if (o.status !== 'rejected') metrics.deadLetters.inc({ reason: p.deadReason });
      else {
        metrics.deadLetters.inc({ reason: 'unwritable' });
        logger.error({ subject: p.msg.subject, seq: p.msg.seq, error: o }, 'dead letter refused');
      }
    });
    for (const result of ['created', 'duplicate'] as const) {
      const bySource = tally(batch.items, (p, i) =>
        !p.deadReason && outcomes[i]!.status === result ? p.source : undefined,
      );
      for (const [source, n] of bySource) metrics.eventsOut.inc({ source, result }, n);
    }
  }

  async #sampleLag(): Promise<void> {
    try {
      const info = await this.#consumer?.info();
      if (!info) return;
      this.deps.metrics.pending.set(info.num_pending);
      this.deps.metrics.ackPending.set(info.num_ack_pending);
    } catch {
      // NATS away: the next sample will tell
    }
  }

  /**
   * Stops pulling, writes what was pulled, and waits for the bulks in flight. Past
   * `timeoutMs` they are abandoned unacknowledged: JetStream redelivers them to another process.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    await this.#messages?.close().catch(() => undefined);
    await this.#loop?.catch(() => undefined);
    this.#flush();
    const all = Promise.all(this.#inflight);
    const timer = setTimeout(() => this.#abort.abort(), timeoutMs);
    await all;
    clearTimeout(timer);
  }
}

export type { JsMsg };

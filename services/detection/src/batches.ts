import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { Logger } from '@soc/core';

export type BatchHandler = (msgs: JsMsg[]) => Promise<void>;

/**
 * Pulls from a durable consumer and hands the messages to `handle` in batches, one batch at a
 * time (so a batch's alerts are written and acked before the next is evaluated, and a rule
 * reload can swap between two batches). While a batch is handled the iterator is not read,
 * so the client stops pulling: backpressure. A batch that fails is nak'ed for redelivery.
 */
export class BatchConsumer {
  #batch: JsMsg[] = [];
  #startedMs = 0;
  #chain: Promise<void> = Promise.resolve();
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(
    private readonly consumer: Consumer,
    private readonly opts: { prefetch: number; maxEvents: number; flushMs: number; name: string },
    private readonly handle: BatchHandler,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.#messages = await this.consumer.consume({ max_messages: this.opts.prefetch });
    this.#loop = this.#run(this.#messages);
    this.#timer = setInterval(
      () => {
        if (this.#batch.length && !this.#busy && Date.now() - this.#startedMs >= this.opts.flushMs)
          void this.#flush();
      },
      Math.max(5, Math.min(this.opts.flushMs, 50)),
    );
    this.#timer.unref();
  }

  async #run(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      if (!this.#batch.length) this.#startedMs = Date.now();
      this.#batch.push(msg);
      if (this.#batch.length >= this.opts.maxEvents) await this.#flush();
    }
  }

  #flush(): Promise<void> {
    this.#chain = this.#chain.then(async () => {
      const batch = this.#batch;
      this.#batch = [];
      if (!batch.length) return;
      this.#busy = true;
      try {
        await this.handle(batch);
      } catch (err) {
        this.logger.error(
          { err: (err as Error).message, consumer: this.opts.name, messages: batch.length },
          'batch failed; it will be redelivered',
        );
        for (const m of batch) m.nak(2_000);
      } finally {
        this.#busy = false;
      }
    });
    return this.#chain;
  }

  /** Stops pulling, handles what was pulled, waits for the batch in hand. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#messages?.close().catch(() => undefined);
    await this.#loop?.catch(() => undefined);
    await this.#flush();
  }
}

import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { ensureDurable, type Logger } from '@soc/core';
import { CorrelationEngine, type SigmaRule } from '@soc/sigma';
import { z } from 'zod';
import type { Hit } from './alert.ts';
import { BatchConsumer } from './batches.ts';
import { CorrelationHits } from './correlation-hit.ts';
import type { DetectionMetrics } from './metrics.ts';
import { families } from './partition.ts';
import { observationSchema, publishAlerts } from './publish.ts';
import { type RuleSet, ruleKey } from './ruleset.ts';
import type { AlertStore } from './store.ts';

/** What a partition keeps in NATS KV: its windows, and the last stream sequence they include. */
const stateSchema = z.object({
  v: z.literal(1),
  seq: z.number().int().nonnegative(),
  families: z.record(z.string(), z.unknown()),
});

interface Engines {
  rules: RuleSet;
  byFamily: Map<string, CorrelationEngine>;
  byKey: Map<string, SigmaRule>;
}

function build(rules: RuleSet, previous?: Engines): Engines {
  const byFamily = new Map<string, CorrelationEngine>();
  for (const f of families(rules)) {
    const engine = new CorrelationEngine({
      correlations: f.correlations,
      rules: rules.rules,
      pipeline: rules.pipeline,
    });
    const old = previous?.byFamily.get(f.key);
    // A reload keeps the open windows of correlations that are still loaded.
    if (old) engine.restore(old.snapshot());
    byFamily.set(f.key, engine);
  }
  return { rules, byFamily, byKey: new Map(rules.rules.map((r) => [ruleKey(r), r])) };
}

/**
 * Stage 2, one per owned partition: the windows of the correlation groups hashed to it. Its
 * durable consumer is re-created at start from the sequence after the last snapshot, so
 * messages arrive in stream order and an observation is counted exactly once: those up to
 * `seq` are in the restored windows, the rest are replayed into them. The snapshot is written
 * after the batch's alerts and before its acks.
 */
export class Correlator {
  #engines: Engines;
  #next: RuleSet | undefined;
  #seq = 0;
  #consumer: BatchConsumer | undefined;
  readonly #hits = new CorrelationHits((m) => this.#engines.rules.version(m.correlation));

  constructor(
    readonly partition: number,
    rules: RuleSet,
    private readonly deps: {
      js: JetStreamClient;
      jsm: JetStreamManager;
      kv: KV;
      store: AlertStore;
      logger: Logger;
      metrics: DetectionMetrics;
      stream: string;
      subjectPrefix: string;
      alertPrefix: string;
      durablePrefix: string;
      ackWaitS: number;
      batch: { prefetch: number; maxEvents: number; flushMs: number };
    },
  ) {
    this.#engines = build(rules);
  }

  get key(): string {
    return `p${this.partition}`;
  }

  reload(rules: RuleSet): void {
    this.#next = rules;
  }

  async start(): Promise<void> {
    const { jsm, js, kv, logger } = this.deps;
    const entry = await kv.get(this.key).catch(() => null);
    if (entry?.value?.length) {
      const parsed = stateSchema.safeParse(entry.json());
      if (parsed.success) {
        this.#seq = parsed.data.seq;
        for (const [family, snap] of Object.entries(parsed.data.families)) {
          try {
            this.#engines.byFamily.get(family)?.restore(snap);
          } catch (err) {
            logger.warn(
              { family, err: (err as Error).message },
              'correlation snapshot not restorable; its windows start empty',
            );
          }
        }
      } else logger.warn({ partition: this.partition }, 'correlation snapshot invalid; windows start empty');
    }
    const durable = `${this.deps.durablePrefix}-${this.key}`;
    // Re-created so delivery starts right after the snapshot, in order (one owner per partition).
    await jsm.consumers.delete(this.deps.stream, durable).catch(() => undefined);
    await ensureDurable(jsm, this.deps.stream, {
      durable_name: durable,
      filter_subject: `${this.deps.subjectPrefix}.${this.partition}`,
      ack_wait: this.deps.ackWaitS * 1_000_000_000,
      max_deliver: -1,
      ...(this.#seq > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.#seq + 1 }
        : { deliver_policy: DeliverPolicy.All }),
    });
    const consumer = await js.consumers.get(this.deps.stream, durable);
    this.#consumer = new BatchConsumer(
      consumer,
      { ...this.deps.batch, name: durable },
      (b) => this.handle(b),
      logger,
    );
    await this.#consumer.start();
    logger.info({ partition: this.partition, fromSeq: this.#seq + 1 }, 'correlation partition consuming');
  }

  async handle(batch: JsMsg[]): Promise<void> {
    if (this.#next) {
      this.#engines = build(this.#next, this.#engines);
      this.#next = undefined;
    }
    const hits: Hit[] = [];
    let seq = this.#seq;
    for (const m of batch) {
      if (m.seq <= this.#seq) continue; // already in the restored windows
      seq = Math.max(seq, m.seq);
      try {
        this.#observe(m, hits);
      } catch (err) {
        this.deps.logger.error({ err: (err as Error).message, seq: m.seq }, 'observation skipped');
      }
    }
    const alerts = hits.length ? await this.deps.store.apply(hits) : [];
    if (alerts.length) await publishAlerts(this.deps.js, this.deps.alertPrefix, alerts);
    this.deps.metrics.alerts.inc({ kind: 'correlation' }, alerts.length);
    if (seq > this.#seq) {
      const families: Record<string, unknown> = {};
      for (const [k, e] of this.#engines.byFamily) families[k] = e.snapshot();
      await this.deps.kv.put(this.key, JSON.stringify({ v: 1, seq, families }));
      this.#seq = seq;
    }
    for (const m of batch) m.ack();
  }

  #observe(m: JsMsg, hits: Hit[]): void {
    const parsed = observationSchema.safeParse(JSON.parse(new TextDecoder().decode(m.data)));
    if (!parsed.success) return;
    const o = parsed.data;
    const engine = this.#engines.byFamily.get(o.family);
    const rule = this.#engines.byKey.get(o.rule);
    if (!engine || !rule) return; // unloaded since it was routed
    this.#hits.remember(o.id, o.time, o.doc);
    for (const match of engine.observe({ rule, event: o.doc, ref: o.id, time: o.time }))
      hits.push(this.#hits.hit(match, o.id, o.doc));
  }

  async stop(): Promise<void> {
    await this.#consumer?.stop();
  }
}

import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Logger } from '@soc/core';
import { type AssetRegistry, enrich, type NormalizeOptions, normalize } from '@soc/normalize';
import { eventMs, type Hit, ruleHit } from './alert.ts';
import type { IntelIndex } from './intel/matcher.ts';
import type { DetectionMetrics } from './metrics.ts';
import { Router } from './partition.ts';
import { type Observation, publishAlerts, publishObservations } from './publish.ts';
import { type RuleSet, ruleKey } from './ruleset.ts';
import type { AlertStore } from './store.ts';

export interface DetectorDeps {
  js: JetStreamClient;
  store: AlertStore;
  logger: Logger;
  metrics: DetectionMetrics;
  registry: () => AssetRegistry;
  normalize: NormalizeOptions;
  windowMs: number;
  alertPrefix: string;
  corrPrefix: string;
  partitions: number;
  /** Threat-intelligence indicators, matched on every event (absent: none loaded). */
  intel?: () => IntelIndex | undefined;
}

const intelLevel = (confidence: number) => (confidence >= 80 ? 'high' : confidence >= 50 ? 'medium' : 'low');

/**
 * Stage 1, stateless: every process of the shared durable consumer normalises its share of
 * the telemetry exactly as ingest does, evaluates the single-event rules, folds matches into
 * alerts, and forwards the matches correlations need to their partitions. The batch is acked
 * only after the alerts are in Elasticsearch, published, and the observations are in their
 * stream; a crash before that redelivers it, and the deterministic ids absorb the repeat.
 */
export class Detector {
  #rules: RuleSet;
  #router: Router;
  #next: RuleSet | undefined;

  constructor(
    rules: RuleSet,
    private readonly deps: DetectorDeps,
  ) {
    this.#rules = rules;
    this.#router = new Router(rules, deps.partitions);
  }

  get rules(): RuleSet {
    return this.#rules;
  }

  /** Takes effect at the next batch: no event is evaluated twice or by a half-loaded set. */
  reload(rules: RuleSet): void {
    this.#next = rules;
  }

  /** Evaluates one message; never throws (bad input is logged and skipped: ingest dead-letters it). */
  evaluate(
    msg: { data: Uint8Array; subject: string },
    hits: Hit[],
    obs: { partition: number; o: Observation }[],
  ): void {
    const { metrics } = this.deps;
    const r = normalize(msg.data, this.deps.normalize);
    if (!r.ok) {
      metrics.skipped.inc({ reason: r.reason });
      return;
    }
    // Same guard as ingest: an agent may not speak for another one.
    const subjectAgent = msg.subject.split('.')[1];
    const agent = String((r.doc.agent as { id?: string } | undefined)?.id ?? '');
    if (subjectAgent !== undefined && subjectAgent !== agent) {
      metrics.skipped.inc({ reason: 'agent_mismatch' });
      return;
    }
    enrich(r.doc, this.deps.registry());
    const rs = this.#rules;
    const doc = r.doc as Record<string, unknown>;
    const matches = rs.engine.match(doc);
    metrics.events.inc();
    const time = eventMs(doc, r.observedMs);
    for (const m of this.deps.intel?.()?.match(doc) ?? []) {
      const ind = m.indicator;
      const info = {
        key: `intel:${ind.type}:${ind.value}`,
        title: `Threat-intelligence match: ${ind.type} ${ind.value} (${ind.source}, confidence ${ind.confidence})`,
        level: intelLevel(ind.confidence),
        tags: ['threat-intel', `intel.source.${ind.source}`, `intel.confidence.${ind.confidence}`],
        version: 1,
      };
      // ECS threat.indicator on the alert's copy of the event: source and confidence kept with it
      const threat = {
        indicator: {
          type: ind.type,
          value: ind.value,
          provider: ind.source,
          confidence: ind.confidence,
          description: ind.description,
          id: ind.id,
        },
        matched: { field: m.field, atomic: m.value },
      };
      hits.push(ruleHit(info, { ...doc, threat }, r.id, time, this.deps.windowMs));
    }
    if (!matches.length) return;
    for (const rule of matches) {
      const key = ruleKey(rule);
      const exception = rs.exceptions.get(key)?.(doc);
      if (exception) {
        metrics.excepted.inc();
        continue;
      }
      if (rs.correlation.uses(rule))
        for (const { family, partition } of this.#router.route(rule, doc))
          obs.push({ partition, o: { v: 1, family, rule: key, id: r.id, time, doc } });
      if (rs.correlation.emits(rule)) {
        const info = {
          key,
          title: rule.title,
          level: rule.level,
          tags: rule.tags,
          version: rs.version(rule),
        };
        hits.push(ruleHit(info, doc, r.id, time, this.deps.windowMs));
      }
    }
  }

  #committing: Promise<void> = Promise.resolve();

  /**
   * Evaluates a batch, then hands its write to a queue of one: the next batch is evaluated
   * while this one is written (CPU and I/O overlap), yet writes stay in order and at most one
   * batch waits for its write. A failed write naks its own batch only; folding is order-free
   * (a count of distinct event ids, min/max times), so a later batch written first is harmless.
   */
  async handle(batch: JsMsg[]): Promise<void> {
    if (this.#next) {
      this.#rules = this.#next;
      this.#router = new Router(this.#rules, this.deps.partitions);
      this.#next = undefined;
    }
    const hits: Hit[] = [];
    const obs: { partition: number; o: Observation }[] = [];
    const t0 = performance.now();
    for (const m of batch) {
      try {
        this.evaluate({ data: m.data, subject: m.subject }, hits, obs);
      } catch (err) {
        // a rule or enrichment bug must not stop the stream: counted and logged
        this.deps.metrics.skipped.inc({ reason: 'error' });
        this.deps.logger.error(
          { err: (err as Error).message, subject: m.subject, seq: m.seq },
          'event could not be evaluated',
        );
      }
    }
    const evaluateMs = performance.now() - t0;
    this.deps.metrics.stage.observe({ stage: 'evaluate' }, evaluateMs / 1000);
    await this.#committing;
    this.#committing = this.#commit(batch, hits, obs, evaluateMs).catch((err) => {
      this.deps.logger.error(
        { err: (err as Error).message, messages: batch.length },
        'alerts not written; the batch will be redelivered',
      );
      for (const m of batch) m.nak(2_000);
    });
  }

  async #commit(
    batch: JsMsg[],
    hits: Hit[],
    obs: { partition: number; o: Observation }[],
    evaluateMs: number,
  ): Promise<void> {
    const t1 = performance.now();
    const alerts = hits.length ? await this.deps.store.apply(hits) : [];
    const t2 = performance.now();
    if (alerts.length) await publishAlerts(this.deps.js, this.deps.alertPrefix, alerts);
    if (obs.length) await publishObservations(this.deps.js, this.deps.corrPrefix, obs);
    const t3 = performance.now();
    this.deps.metrics.alerts.inc({ kind: 'rule' }, alerts.length);
    for (const m of batch) m.ack();
    const { stage, latency } = this.deps.metrics;
    stage.observe({ stage: 'write' }, (t2 - t1) / 1000);
    stage.observe({ stage: 'publish' }, (t3 - t2) / 1000);
    latency.observe((Date.now() - batch[0]!.info.timestampNanos / 1e6) / 1000);
    if (evaluateMs + t3 - t1 > 1000)
      this.deps.logger.warn(
        {
          events: batch.length,
          hits: hits.length,
          alerts: alerts.length,
          evaluateMs: Math.round(evaluateMs),
          writeMs: Math.round(t2 - t1),
          publishMs: Math.round(t3 - t2),
        },
        'slow batch',
      );
  }

  /** Waits for the write in flight (shutdown: after the consumer stopped). */
  async drain(): Promise<void> {
    await this.#committing;
  }
}

import type { Client } from '@elastic/elasticsearch';
import {
  type CompiledCorrelation,
  CorrelationEngine,
  type CorrelationMatch,
  type Pipeline,
  type SigmaCorrelation,
  type SigmaRule,
} from '@soc/sigma';
import { ruleQuery, UnsupportedError } from '@soc/sigma/elasticsearch';
import { eventMs, type Hit } from './alert.ts';
import { CorrelationHits } from './correlation-hit.ts';
import type { ExceptionMatcher } from './exceptions.ts';
import type { RetroHuntOptions, RetroHuntProgress, RetroHuntResult } from './retro.ts';
import { countEvents, type EventHit, eventPage, huntQuery } from './retro-pages.ts';
import { ruleKey } from './ruleset.ts';
import type { AlertStore } from './store.ts';

/** The documents a correlation may refer to (by name or id), with what the stream applies to them. */
export interface HuntPool {
  rules: readonly SigmaRule[];
  correlations: readonly SigmaCorrelation[];
  exceptions?: (rule: SigmaRule) => ExceptionMatcher | undefined;
  version?: (doc: SigmaCorrelation) => number;
}

/** What a correlation hunt reads and runs: the correlation's family and the base rules under it. */
export interface CorrelationHuntPlan {
  correlation: SigmaCorrelation;
  /** The hunted correlation and every correlation it chains (as the stream's partition family). */
  correlations: SigmaCorrelation[];
  /** The base rules whose history is read, each as its own query. */
  rules: SigmaRule[];
  queries: Map<SigmaRule, object>;
  exceptions: Map<SigmaRule, ExceptionMatcher>;
  version: (doc: SigmaCorrelation) => number;
  /**
   * How far before `from` the base rules are read: the longest chain of timespans under the
   * correlation, so a window that straddles `from` is complete (see `retroHuntCorrelation`).
   */
  lookbackMs: number;
}

/**
 * Resolves a correlation against the pool exactly as the stream's engine does (same resolver,
 * names or ids, chains), and checks that each base rule can be searched in Elasticsearch.
 * Returns the reason when it cannot be hunted.
 */
export function planCorrelationHunt(
  target: SigmaCorrelation,
  pool: HuntPool,
  pipeline: Pipeline,
): CorrelationHuntPlan | { error: string } {
  const key = ruleKey(target);
  const others = pool.correlations.filter((c) => ruleKey(c) !== key);
  const all = new CorrelationEngine({ correlations: [target, ...others], rules: pool.rules, pipeline });
  const compiled = all.correlations;
  const top = compiled.find((cc) => cc.correlation === target);
  if (!top) {
    const p = all.problems.find(
      (x) => x.file === target.origin.file && x.document === target.origin.document,
    );
    return { error: `the correlation cannot be evaluated: ${p?.message ?? 'unresolved'}` };
  }
  const members: CompiledCorrelation[] = [];
  const rules: SigmaRule[] = [];
  const lookback = (cc: CompiledCorrelation): number => {
    if (!members.includes(cc)) members.push(cc);
    let inner = 0;
    for (const t of cc.targets) {
      if (t.kind === 'rule') {
        if (!rules.includes(t.rule)) rules.push(t.rule);
      } else inner = Math.max(inner, lookback(compiled[t.index]!));
    }
    return cc.spanMs + inner;
  };
  const lookbackMs = lookback(top);
  const queries = new Map<SigmaRule, object>();
  for (const r of rules) {
    try {
      queries.set(r, ruleQuery(r, pipeline) as object);
    } catch (err) {
      if (err instanceof UnsupportedError)
        return {
          error: `the rule ${r.title} it refers to cannot be searched in Elasticsearch (${err.reason}${err.path ? ` at ${err.path}` : ''}): ${err.message}`,
        };
      throw err;
    }
  }
  const exceptions = new Map<SigmaRule, ExceptionMatcher>();
  for (const r of rules) {
    const x = pool.exceptions?.(r);
    if (x) exceptions.set(r, x);
  }
  return {
    correlation: target,
    correlations: members.map((m) => m.correlation),
    rules,
    queries,
    exceptions,
    version: pool.version ?? (() => 1),
    lookbackMs,
  };
}

export type CorrelationHuntOptions = Omit<RetroHuntOptions, 'windowMs' | 'exceptions'>;

/** One base rule's events in time order, one page held at a time. */
interface Stream {
  rule: SigmaRule;
  order: number;
  query: object;
  page: EventHit[];
  at: number;
  done: boolean;
}

const timeOf = (h: EventHit) => eventMs(h._source, 0);
/** The merge order: event time, then event id (each stream's own sort), then the rule's position. */
const before = (a: Stream, b: Stream): boolean => {
  const x = a.page[a.at]!;
  const y = b.page[b.at]!;
  const tx = timeOf(x);
  const ty = timeOf(y);
  if (tx !== ty) return tx < ty;
  if (x._id !== y._id) return x._id < y._id;
  return a.order < b.order;
};

/**
 * A correlation over [from, to) of history. Each base rule it refers to (through chains too)
 * is searched as its own query (the same ES compile as a rule hunt) with the hunt's filters,
 * in time order; the streams are merged by event time and fed to a `CorrelationEngine` of the
 * correlation's family, exactly as a partition owner feeds it on the stream (each rule's
 * exceptions first), and matches become alerts with the ids the stream gives them
 * (`CorrelationHits`): a hunt over a window the stream already alerted on adds nothing, and a
 * re-run neither. New alerts are marked retro.
 *
 * The range: base rules are read from `from − lookbackMs` (the correlation's chain of
 * timespans), so a window that straddles `from` is complete; only matches whose newest event
 * is in [from, to) are written (older ones belong to an earlier range, and read as the stream
 * would have: a match before `from` also keeps its group quiet for a timespan, as live). A
 * window still open at `to` (a correlation decided when its window closes, like `lt`) is left
 * to a later range. Memory: one page per base rule, and the engine's bounded windows.
 */
export async function retroHuntCorrelation(
  es: Client,
  store: AlertStore,
  plan: CorrelationHuntPlan,
  pipeline: Pipeline,
  o: CorrelationHuntOptions,
): Promise<RetroHuntResult> {
  const size = o.pageSize ?? 1000;
  const start = new Date(o.from.getTime() - plan.lookbackMs);
  const streams: Stream[] = plan.rules.map((rule, order) => ({
    rule,
    order,
    query: huntQuery(plan.queries.get(rule)!, start, o.to, o.filter),
    page: [],
    at: 0,
    done: false,
  }));
  o.signal?.throwIfAborted();
  let total = 0;
  for (const s of streams) total += await countEvents(es, o.events, s.query);
  const engine = new CorrelationEngine({ correlations: plan.correlations, rules: plan.rules, pipeline });
  const hits = new CorrelationHits((m) =>
    m.correlation === plan.correlation && o.version !== undefined ? o.version : plan.version(m.correlation),
  );
  const p: RetroHuntProgress = { total, scanned: 0, pages: 0, excepted: 0, alerts: 0 };
  const alerts = new Set<string>();
  let pending: Hit[] = [];
  const from = o.from.getTime();
  const to = o.to.getTime();
  const take = (ms: CorrelationMatch[], id: string | undefined, doc: Record<string, unknown>) => {
    for (const m of ms)
      if (m.time >= from && m.time < to) pending.push({ ...hits.hit(m, id ?? '', doc), retro: true });
  };
  /** A page boundary: the page's alerts written and published, then progress reported. */
  const flush = async () => {
    const batch = pending;
    pending = [];
    const written = batch.length ? await store.apply(batch) : [];
    for (const a of written) alerts.add(a.id);
    if (written.length) await o.publish?.(written);
    p.alerts = alerts.size;
    o.progress?.(p.scanned, total);
    await o.onPage?.({ ...p });
    o.signal?.throwIfAborted();
  };
  const fill = async (s: Stream) => {
    const after = s.page.at(-1)?.sort;
    s.page = await eventPage(es, o.events, s.query, size, after);
    s.at = 0;
    if (s.page.length) p.pages++;
    if (s.page.length < size) s.done = true;
  };
  o.progress?.(0, total);
  await o.onPage?.({ ...p });
  o.signal?.throwIfAborted();
  for (const s of streams) await fill(s);
  for (;;) {
    let next: Stream | undefined;
    for (const s of streams) if (s.at < s.page.length && (!next || before(s, next))) next = s;
    if (!next) break;
    observe(next.rule, next.page[next.at++]!);
    p.scanned++;
    // the end of a page read: its alerts are written before the next page of that rule is read
    if (next.at === next.page.length && !next.done) {
      await flush();
      await fill(next);
    }
  }
  take(engine.advance(to), undefined, {});
  await flush();
  return { ...p, query: Object.fromEntries(streams.map((s) => [ruleKey(s.rule), s.query])) };

  function observe(rule: SigmaRule, h: EventHit): void {
    if (plan.exceptions.get(rule)?.(h._source)) {
      p.excepted++;
      return;
    }
    const time = timeOf(h);
    hits.remember(h._id, time, h._source);
    take(engine.observe({ rule, event: h._source, ref: h._id, time }), h._id, h._source);
  }
}

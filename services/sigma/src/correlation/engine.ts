/**
 * Streaming evaluation of Sigma correlation rules over base-rule matches.
 *
 * Firing semantics (the specification leaves them to the tool):
 * - Each correlation keeps one window per group (the values of its group-by fields; no
 *   group-by: one group). An event lacking a group-by field counts in no group, as in a terms
 *   aggregation; a field holding several values puts the event in each of their groups.
 * - Eager correlations — the aggregate only grows as events arrive (event_count, value_count,
 *   value_sum, temporal, temporal_ordered) and the condition only has lower bounds (gt/gte) —
 *   slide: the window is the timespan ending at the group's newest event, and the condition is
 *   tested on every event. When it holds, one match is emitted with the window's events and
 *   the group goes quiet for one timespan: events in that time are dropped (counted as
 *   `suppressed`), then counting starts afresh. So a burst of 1,000 failed logins against
 *   `gte: 10` in `1h` is one match per group per hour while it lasts, not 991.
 * - Every other correlation (an upper bound or `eq`/`neq`, or an average, median or
 *   percentile, which can go either way as events arrive) is decided once the window is
 *   complete: the window opens at the group's first event, covers one timespan, and is
 *   tested when the stream's newest event time (the watermark, across all groups, plus
 *   `latenessMs`) passes its end, or at flush(). Such groups can only exist with ≥ 1 event,
 *   so `lt: 5` means "between 1 and 4 events", as a backend's bucketed count would say.
 * - Windows include both ends: events exactly one timespan apart are within it.
 * - Out of order: events are placed by event time. An event older than its group's window
 *   (newest − timespan for eager, window start for the others) is dropped as `late`.
 * - A correlation consumes matches of other correlations (chaining): an inner match enters
 *   the outer window as one event at the time of its newest event, carrying all its event
 *   references; its group-by values are read from the inner match's group.
 * - `generate` (default false, as the specification says): rules and correlations referred
 *   to are not output on their own unless a correlation using them says `generate: true`.
 * Memory is bounded by CorrelationLimits: least recently updated groups are evicted first and
 * every drop is counted in `stats`.
 */
import type { Pipeline } from '../pipeline/index.ts';
import type { RuleProblem, SigmaCorrelation, SigmaRule } from '../rule/model.ts';
import { aggregate, percentiles } from './aggregate.ts';
import { combinations, pipelineFieldReader, scalars, toNumber } from './fields.ts';
import { MinHeap } from './heap.ts';
import { type CompiledCorrelation, resolveCorrelations } from './resolve.ts';
import { type CorrelationSnapshot, snapshotSchema } from './snapshot.ts';
import {
  type BaseMatch,
  type CorrelationLimits,
  type CorrelationMatch,
  type CorrelationStats,
  DEFAULT_LIMITS,
  type EventRef,
  emptyStats,
  type FieldReader,
  type Scalar,
} from './types.ts';
import { type Entry, Window } from './window.ts';

export interface CorrelationEngineOptions {
  correlations: readonly SigmaCorrelation[];
  /** The base rules correlations may refer to (by name or id). */
  rules: readonly SigmaRule[];
  /** How group-by fields are read; default: through `pipeline` as detection reads them. */
  fields?: FieldReader;
  pipeline?: Pipeline;
  limits?: Partial<CorrelationLimits>;
}

interface Group {
  key: string;
  cc: CompiledCorrelation;
  values: Scalar[];
  win: Window;
  newest: number;
  start: number;
  quietUntil: number;
  /** When the group can be closed (others) or forgotten (eager). */
  deadline: number;
  queued: boolean;
}

/** One event as a correlation sees it: a base-rule match, or an inner correlation's match. */
interface Observation {
  t: number;
  refs: EventRef[];
  read: (field: string) => readonly unknown[];
}

type Uses = [correlation: number, target: number][];

export class CorrelationEngine {
  readonly limits: CorrelationLimits;
  readonly problems: RuleProblem[];
  readonly warnings: string[];
  readonly stats: CorrelationStats = emptyStats();
  readonly correlations: readonly CompiledCorrelation[];
  readonly #silenced: Set<SigmaRule>;
  readonly #byRule = new Map<SigmaRule, Uses>();
  readonly #byCorrelation: Uses[];
  readonly #read: FieldReader;
  readonly #groups = new Map<string, Group>();
  readonly #due = new MinHeap<Group>();
  #watermark = Number.NEGATIVE_INFINITY;
  #refsHeld = 0;

  constructor(options: CorrelationEngineOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    const set = resolveCorrelations(options.correlations, options.rules, this.limits);
    this.problems = set.problems;
    this.warnings = set.warnings;
    this.correlations = set.compiled;
    this.#silenced = set.silenced;
    this.#read = options.fields ?? pipelineFieldReader(options.pipeline);
    this.#byCorrelation = set.compiled.map(() => []);
    for (const cc of set.compiled) {
      cc.targets.forEach((t, i) => {
        if (t.kind === 'correlation') this.#byCorrelation[t.index]!.push([cc.index, i]);
        else this.#byRule.set(t.rule, [...(this.#byRule.get(t.rule) ?? []), [cc.index, i]]);
      });
    }
  }

  /** Whether some correlation consumes this rule's matches (and so needs their event time). */
  uses(rule: SigmaRule): boolean {
    return this.#byRule.has(rule);
  }

  /** Whether a base rule's own matches are output (see `generate`). */
  emits(rule: SigmaRule): boolean {
    return !this.#silenced.has(rule);
  }

  get groups(): number {
    return this.#groups.size;
  }

  /** Event references held across all windows. */
  get eventsHeld(): number {
    return this.#refsHeld;
  }

  /** Feeds one base-rule match; returns the correlation matches to output that it completes. */
  observe(match: BaseMatch): CorrelationMatch[] {
    const uses = this.#byRule.get(match.rule);
    if (!uses) return [];
    this.stats.observed++;
    if (match.time === undefined || !Number.isFinite(match.time)) {
      this.stats.noTime++;
      return [];
    }
    const out: CorrelationMatch[] = [];
    this.#advance(match.time, out);
    const obs: Observation = {
      t: match.time,
      refs: [match.ref],
      read: (field) => this.#read(match.rule, match.event, field),
    };
    for (const [c, target] of uses) this.#feed(this.correlations[c]!, target, obs, out);
    return out;
  }

  /** Moves event time forward without an event (e.g. from a clock), closing windows that end before it. */
  advance(time: number): CorrelationMatch[] {
    const out: CorrelationMatch[] = [];
    this.#advance(time, out);
    return out;
  }

  /** End of input: every window is complete. Decides the open windows and forgets all groups. */
  flush(): CorrelationMatch[] {
    const out: CorrelationMatch[] = [];
    // Closing may feed outer correlations and open groups there: repeat until nothing is left.
    while (this.#groups.size > 0) for (const g of [...this.#groups.values()]) this.#close(g, out);
    this.#due.clear();
    return out;
  }

  snapshot(): CorrelationSnapshot {
    return {
      version: 1,
      watermark: Number.isFinite(this.#watermark) ? this.#watermark : null,
      groups: [...this.#groups.values()].map((g) => ({
        correlation: g.cc.key,
        values: g.values,
        entries: g.win
          .entries()
          .map((e) => (e.v === undefined ? [e.t, e.refs, e.r] : [e.t, e.refs, e.r, e.v])),
        newest: g.newest,
        start: g.start,
        quietUntil: Number.isFinite(g.quietUntil) ? g.quietUntil : null,
      })),
    };
  }

  /**
   * Replaces the state with a snapshot (validated). Groups of correlations no longer loaded,
   * and entries naming a rule position the correlation no longer has, are dropped; returns how
   * many groups were kept.
   */
  restore(snapshot: unknown): number {
    const s = snapshotSchema.parse(snapshot);
    this.#groups.clear();
    this.#due.clear();
    this.#refsHeld = 0;
    this.#watermark = s.watermark ?? Number.NEGATIVE_INFINITY;
    const byKey = new Map(this.correlations.map((cc) => [cc.key, cc]));
    for (const sg of s.groups) {
      const cc = byKey.get(sg.correlation);
      if (!cc || sg.values.length !== cc.groupBy.length) continue;
      const g = this.#group(cc, sg.values, sg.start);
      for (const [t, refs, r, v] of sg.entries) if (r < cc.targets.length) g.win.add({ t, refs, r, v });
      this.#refsHeld += g.win.refs;
      g.newest = sg.newest;
      g.quietUntil = sg.quietUntil ?? Number.NEGATIVE_INFINITY;
      this.#schedule(g);
    }
    this.#enforceCaps();
    return this.#groups.size;
  }

  #feed(cc: CompiledCorrelation, target: number, obs: Observation, out: CorrelationMatch[]): void {
    const perField = cc.groupFields[target]!.map((f) => scalars(obs.read(f)));
    const groups = combinations(perField, this.limits.maxGroupsPerEvent);
    if (groups.length === 0) {
      this.stats.noGroup++;
      return;
    }
    const entry: Entry = { t: obs.t, refs: obs.refs, r: target };
    const valueFields = cc.valueFields[target]!;
    if (valueFields.length > 0) {
      const v = this.#value(cc, valueFields, obs);
      if (v === undefined) {
        this.stats.noValue++;
        return;
      }
      entry.v = v;
    }
    for (const values of groups) this.#add(cc, values, entry, out);
  }

  /** The condition.field value of an observation (first value of each field), or undefined. */
  #value(cc: CompiledCorrelation, fields: string[], obs: Observation): Scalar | undefined {
    if (cc.type !== 'value_count' && cc.type !== 'value_percentile') {
      for (const raw of obs.read(fields[0]!)) {
        const n = toNumber(raw);
        if (n !== undefined) return n;
      }
      return undefined;
    }
    const firsts = fields.map((f) => scalars(obs.read(f))[0]);
    if (firsts.some((v) => v === undefined)) return undefined;
    return firsts.length === 1 ? firsts[0] : JSON.stringify(firsts);
  }

  #add(cc: CompiledCorrelation, values: Scalar[], entry: Entry, out: CorrelationMatch[]): void {
    const key = `${cc.index}\u0000${JSON.stringify(values)}`;
    let g = this.#groups.get(key);
    if (g && !cc.eager && entry.t > g.start + cc.spanMs) {
      // This group's window is over: decide it before the event opens the next one.
      this.#close(g, out);
      g = undefined;
    }
    if (!g) g = this.#group(cc, values, entry.t);
    else {
      // Least recently updated groups are evicted first: move this one to the end.
      this.#groups.delete(key);
      this.#groups.set(key, g);
    }
    if (entry.t <= g.quietUntil) {
      this.stats.suppressed++;
      return;
    }
    if (cc.eager ? entry.t < g.newest - cc.spanMs : entry.t < g.start) {
      this.stats.late++;
      return;
    }
    const before = g.win.refs;
    g.win.add(entry);
    g.newest = Math.max(g.newest, entry.t);
    if (cc.eager) g.win.expireBefore(g.newest - cc.spanMs);
    while (g.win.size > this.limits.maxEventsPerGroup) {
      g.win.dropOldest();
      this.stats.evictedEvents++;
    }
    this.#refsHeld += g.win.refs - before;
    if (cc.eager) {
      const value = aggregate(cc, g.win);
      if (cc.comparison.test(value)) {
        const entries = g.win.entries();
        this.#refsHeld -= g.win.refs;
        g.win.clear();
        g.quietUntil = g.newest + cc.spanMs;
        this.#emit(cc, g.values, entries, value, undefined, out);
      }
    }
    this.#schedule(g);
    this.#enforceCaps();
  }

  #group(cc: CompiledCorrelation, values: Scalar[], start: number): Group {
    const g: Group = {
      key: `${cc.index}\u0000${JSON.stringify(values)}`,
      cc,
      values,
      win: new Window(cc.targets.length),
      newest: Number.NEGATIVE_INFINITY,
      start,
      quietUntil: Number.NEGATIVE_INFINITY,
      deadline: Number.POSITIVE_INFINITY,
      queued: false,
    };
    this.#groups.set(g.key, g);
    return g;
  }

  #schedule(g: Group): void {
    g.deadline = g.cc.eager ? Math.max(g.newest + g.cc.spanMs, g.quietUntil) : g.start + g.cc.spanMs;
    if (!g.queued) {
      g.queued = true;
      this.#due.push(g.deadline, g);
    }
  }

  #advance(time: number, out: CorrelationMatch[]): void {
    if (time > this.#watermark) this.#watermark = time;
    const limit = this.#watermark - this.limits.latenessMs;
    for (let key = this.#due.peekKey(); key !== undefined && key < limit; key = this.#due.peekKey()) {
      const g = this.#due.pop()!;
      g.queued = false;
      if (this.#groups.get(g.key) !== g) continue;
      if (g.deadline >= limit) this.#schedule(g);
      else this.#close(g, out);
    }
  }

  /** A window is complete: decide it (non-eager) and forget the group. */
  #close(g: Group, out: CorrelationMatch[]): void {
    if (this.#groups.get(g.key) !== g) return;
    this.#groups.delete(g.key);
    this.#refsHeld -= g.win.refs;
    const { cc, win } = g;
    if (cc.eager || win.size === 0) {
      if (win.size > 0) this.stats.expiredGroups++;
      return;
    }
    let fired = false;
    if (cc.type === 'value_percentile') {
      for (const p of percentiles(win)) {
        if (!cc.comparison.test(p.percent)) continue;
        this.#emit(cc, g.values, p.entries, p.percent, p.value, out);
        fired = true;
      }
    } else {
      const value = aggregate(cc, win);
      if (cc.comparison.test(value)) {
        this.#emit(cc, g.values, win.entries(), value, undefined, out);
        fired = true;
      }
    }
    if (!fired) this.stats.expiredGroups++;
  }

  #emit(
    cc: CompiledCorrelation,
    values: Scalar[],
    entries: Entry[],
    value: number,
    extra: Scalar | undefined,
    out: CorrelationMatch[],
  ): void {
    const group: Record<string, Scalar> = {};
    cc.groupBy.forEach((name, i) => {
      group[name] = values[i]!;
    });
    if (extra !== undefined && cc.valueName !== undefined) group[cc.valueName] = extra;
    const events = [...new Set(entries.flatMap((e) => e.refs))];
    const time = entries.reduce((m, e) => Math.max(m, e.t), Number.NEGATIVE_INFINITY);
    const match: CorrelationMatch = { correlation: cc.correlation, group, events, time, value };
    this.stats.matches++;
    if (cc.output) out.push(match);
    const read = (field: string) => (Object.hasOwn(group, field) ? [group[field]] : []);
    for (const [c, target] of this.#byCorrelation[cc.index]!)
      this.#feed(this.correlations[c]!, target, { t: time, refs: events, read }, out);
  }

  #enforceCaps(): void {
    const { maxGroups, maxEvents } = this.limits;
    while (this.#groups.size > maxGroups || (this.#refsHeld > maxEvents && this.#groups.size > 1)) {
      const oldest = this.#groups.values().next().value!;
      this.#groups.delete(oldest.key);
      this.#refsHeld -= oldest.win.refs;
      this.stats.evictedGroups++;
      this.stats.evictedEvents += oldest.win.size;
    }
  }
}

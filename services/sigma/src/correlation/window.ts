/**
 * The events one group holds, ordered by event time (an out-of-order event is inserted at its
 * place, so "within the timespan" and "in this order" are decided on event time, not arrival
 * time). The aggregates that eager correlations test on every event (count, events per rule,
 * distinct values, sum) are kept up to date as events come and go, so testing costs O(1).
 */
import type { EventRef, Scalar } from './types.ts';

export interface Entry {
  /** Event time, epoch ms. */
  t: number;
  /** The event, or for a chained correlation all events of the inner match. */
  refs: EventRef[];
  /** Which of the correlation's `rules:` matched (index). */
  r: number;
  /** condition.field value: a number for value_sum/avg/median, a scalar for value_count/percentile. */
  v?: Scalar;
}

export class Window {
  #entries: Entry[] = [];
  #head = 0;
  /** Events per referenced rule. */
  readonly perRule: number[];
  /** Distinct condition values → how many held events carry each. */
  readonly distinct = new Map<string, number>();
  sum = 0;
  /** Event references held (a chained entry holds many). */
  refs = 0;

  constructor(ruleCount: number) {
    this.perRule = new Array<number>(ruleCount).fill(0);
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  /** Oldest first. */
  entries(): Entry[] {
    return this.#entries.slice(this.#head);
  }

  oldest(): Entry | undefined {
    return this.#entries[this.#head];
  }

  /** Inserted after every held entry with the same or an earlier time (arrival order breaks ties). */
  add(e: Entry): void {
    const list = this.#entries;
    if (list.length === this.#head || list[list.length - 1]!.t <= e.t) list.push(e);
    else {
      let lo = this.#head;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (list[mid]!.t <= e.t) lo = mid + 1;
        else hi = mid;
      }
      list.splice(lo, 0, e);
    }
    this.#count(e, 1);
  }

  /** Drops entries older than `t`; returns how many. */
  expireBefore(t: number): number {
    let n = 0;
    while (this.size > 0 && this.#entries[this.#head]!.t < t) {
      this.dropOldest();
      n++;
    }
    return n;
  }

  dropOldest(): Entry | undefined {
    const e = this.#entries[this.#head];
    if (!e) return undefined;
    this.#entries[this.#head++] = undefined as unknown as Entry;
    this.#count(e, -1);
    // Compact now and then so dropping from the front stays O(1) amortised.
    if (this.#head > 64 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return e;
  }

  clear(): void {
    this.#entries = [];
    this.#head = 0;
    this.perRule.fill(0);
    this.distinct.clear();
    this.sum = 0;
    this.refs = 0;
  }

  /** How many referenced rules have at least one event held. */
  rulesPresent(): number {
    let n = 0;
    for (const c of this.perRule) if (c > 0) n++;
    return n;
  }

  #count(e: Entry, sign: 1 | -1): void {
    this.perRule[e.r] = (this.perRule[e.r] ?? 0) + sign;
    this.refs += sign * e.refs.length;
    if (e.v === undefined) return;
    if (typeof e.v === 'number') this.sum += sign * e.v;
    const key = distinctKey(e.v);
    const n = (this.distinct.get(key) ?? 0) + sign;
    if (n > 0) this.distinct.set(key, n);
    else this.distinct.delete(key);
  }
}

/** `1` and `"1"` are different values of a field, as a terms aggregation sees them. */
export function distinctKey(v: Scalar): string {
  return typeof v === 'string' ? `s${v}` : `${typeof v}${String(v)}`;
}

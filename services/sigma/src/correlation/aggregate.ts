/**
 * What each correlation type measures over a group's window, the number its condition is
 * compared with:
 * - event_count: events held;
 * - value_count: distinct values of condition.field (several fields: distinct combinations);
 * - temporal: how many of the referenced rules have an event in the window;
 * - temporal_ordered: the longest run of referenced rules whose events occur in the listed
 *   order (rules [A, B, C] with events A, C, B in time order: 2);
 * - value_sum / value_avg / value_median: over the numeric condition.field values;
 * - value_percentile: per distinct value of condition.field, the percentage of the group's
 *   events carrying it. The rule's example (`field: image`, `lte: 1`: a process name making up
 *   at most 1 % of a computer's processes) is this reading; a match is made per such value.
 */
import type { CompiledCorrelation } from './resolve.ts';
import type { Scalar } from './types.ts';
import type { Entry, Window } from './window.ts';

export function aggregate(cc: CompiledCorrelation, win: Window): number {
  switch (cc.type) {
    case 'event_count':
      return win.size;
    case 'value_count':
      return win.distinct.size;
    case 'temporal':
      return win.rulesPresent();
    case 'temporal_ordered':
      // The ordered run can be no longer than the rules present: skip the scan while too few are.
      return cc.comparison.lowerOnly && !cc.comparison.test(win.rulesPresent())
        ? 0
        : orderedRun(win.entries(), cc.targets.length);
    case 'value_sum':
      return win.sum;
    case 'value_avg':
      return win.size === 0 ? 0 : win.sum / win.size;
    case 'value_median':
      return median(win.entries().map((e) => e.v as number));
    case 'value_percentile':
      throw new Error('value_percentile is tested per value: use percentiles()');
  }
}

/** Longest subsequence of rule positions, strictly increasing, in the entries' time order. */
export function orderedRun(entries: readonly Entry[], ruleCount: number): number {
  const best = new Array<number>(ruleCount).fill(0);
  for (const e of entries) {
    let before = 0;
    for (let r = 0; r < e.r; r++) if (best[r]! > before) before = best[r]!;
    if (before + 1 > best[e.r]!) best[e.r] = before + 1;
  }
  return Math.max(0, ...best);
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Each distinct condition.field value with its share of the window's events, in percent. */
export function percentiles(win: Window): { value: Scalar; percent: number; entries: Entry[] }[] {
  const byValue = new Map<string, { value: Scalar; entries: Entry[] }>();
  for (const e of win.entries()) {
    const key = `${typeof e.v}${String(e.v)}`;
    const slot = byValue.get(key) ?? { value: e.v!, entries: [] };
    slot.entries.push(e);
    byValue.set(key, slot);
  }
  const total = win.size;
  return [...byValue.values()].map((s) => ({ ...s, percent: (s.entries.length / total) * 100 }));
}

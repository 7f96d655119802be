/**
 * The comparison of a correlation (`gt gte lt lte eq neq`, several keys ANDed to form a
 * range). Whether it only has lower bounds decides when it can be tested: a count that can
 * only grow satisfies `gte` for good the moment it reaches it, whereas `lt`, `eq` or a range
 * can only be known once the window is complete.
 */
import type { SigmaCorrelation } from '../rule/model.ts';

const OPS = {
  gt: (x: number, v: number) => x > v,
  gte: (x: number, v: number) => x >= v,
  lt: (x: number, v: number) => x < v,
  lte: (x: number, v: number) => x <= v,
  eq: (x: number, v: number) => x === v,
  neq: (x: number, v: number) => x !== v,
} as const;

type Op = keyof typeof OPS;

export interface Comparison {
  test(x: number): boolean;
  /** Only gt/gte: once true for a growing aggregate, it stays true. */
  lowerOnly: boolean;
  /** The smallest value that can satisfy a lower-only comparison (for capacity warnings). */
  minimum: number;
  text: string;
}

export function compileComparison(c: Partial<Record<Op, number>>): Comparison {
  const parts = (Object.keys(OPS) as Op[])
    .filter((op) => typeof c[op] === 'number')
    .map((op) => ({ op, value: c[op]! }));
  if (parts.length === 0) throw new Error('a condition needs gt, gte, lt, lte, eq or neq');
  const lowerOnly = parts.every((p) => p.op === 'gt' || p.op === 'gte');
  const minimum = Math.max(...parts.map((p) => (p.op === 'gt' ? Math.floor(p.value) + 1 : p.value)));
  return {
    test: (x) => parts.every((p) => OPS[p.op](x, p.value)),
    lowerOnly,
    minimum,
    text: parts.map((p) => `${p.op} ${p.value}`).join(' and '),
  };
}

/**
 * The comparison of a correlation. temporal types without a condition need every referenced
 * rule (the specification: "all events defined by the rules ... must occur").
 */
export function correlationComparison(corr: SigmaCorrelation, ruleCount: number): Comparison {
  const { type, condition } = corr.doc.correlation;
  if (!condition && (type === 'temporal' || type === 'temporal_ordered'))
    return compileComparison({ gte: ruleCount });
  if (!condition) throw new Error(`a ${type} correlation needs a condition`);
  return compileComparison(condition);
}

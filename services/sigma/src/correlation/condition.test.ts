import { describe, expect, it } from 'vitest';
import { compileComparison } from './condition.ts';
import { parseTimespan } from './timespan.ts';

describe('correlation condition (gt gte lt lte eq neq)', () => {
  it.each([
    ['gt', 5, 6, 5],
    ['gte', 5, 5, 4],
    ['lt', 5, 4, 5],
    ['lte', 5, 5, 6],
    ['eq', 5, 5, 6],
    ['neq', 5, 6, 5],
  ] as const)('%s %d holds for %d, not for %d', (op, value, yes, no) => {
    const c = compileComparison({ [op]: value });
    expect(c.test(yes)).toBe(true);
    expect(c.test(no)).toBe(false);
  });

  it('several keys form a range: "gt 100, lte 200" is 101 to 200', () => {
    const c = compileComparison({ gt: 100, lte: 200 });
    expect([100, 101, 200, 201].map(c.test)).toEqual([false, true, true, false]);
    expect(c.text).toBe('gt 100 and lte 200');
  });

  it('only gt/gte comparisons are lower-only (decidable before a window is complete)', () => {
    expect(compileComparison({ gte: 3 }).lowerOnly).toBe(true);
    expect(compileComparison({ gt: 3, gte: 1 }).lowerOnly).toBe(true);
    expect(compileComparison({ gt: 3, lt: 9 }).lowerOnly).toBe(false);
    expect(compileComparison({ neq: 3 }).lowerOnly).toBe(false);
    expect(compileComparison({ eq: 3 }).lowerOnly).toBe(false);
  });

  it('knows the smallest count a lower bound needs', () => {
    expect(compileComparison({ gt: 9 }).minimum).toBe(10);
    expect(compileComparison({ gte: 10 }).minimum).toBe(10);
  });

  it('rejects a condition without a comparison', () => {
    expect(() => compileComparison({})).toThrow(/needs gt, gte/);
  });
});

describe('timespan', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['90m', 5_400_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseTimespan(text)).toBe(ms);
  });

  it.each(['', '5', 'm', '5 m', '5H', '1.5h', '-1h', '0s'])('rejects %j', (text) => {
    expect(() => parseTimespan(text)).toThrow(/invalid timespan/);
  });
});

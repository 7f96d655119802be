import { describe, expect, it } from 'vitest';
import { SigmaEngine } from './engine.ts';
import { parseSigmaText } from './rule/load.ts';
import type { SigmaRule } from './rule/model.ts';

/** Hostile rules and events: each is rejected with a reason or evaluated in bounded time. */
const rule = (selection: unknown): SigmaRule => {
  const text = JSON.stringify({
    title: 'hostile',
    logsource: { product: 'windows' },
    detection: { selection, condition: 'selection' },
  });
  const d = parseSigmaText(text, 'hostile.yml').documents[0];
  if (d?.kind !== 'rule') throw new Error('not a rule');
  return d;
};

describe('hostile rules and events', () => {
  it('evaluates ? with many * over a long value without backtracking', () => {
    const engine = new SigmaEngine();
    expect(engine.add(rule({ CommandLine: `?${'*a'.repeat(15)}*b` })).state).toBe('active');
    // As a RegExp (^.(.*a){15}.*b$) this takes longer than any test timeout.
    expect(engine.match({ CommandLine: 'a'.repeat(50_000) })).toHaveLength(0);
    expect(engine.match({ CommandLine: `${'a'.repeat(50_000)}b` })).toHaveLength(1);
  });

  it('rejects a catastrophic-backtracking regex with the reason', () => {
    const status = new SigmaEngine().add(rule({ 'CommandLine|re': '(\\w+\\s?)*$' }));
    expect(status.state).toBe('rejected');
    expect(status.reason).toMatch(/backtrack/);
    expect(status.path).toBe('detection.selection.CommandLine|re');
  });

  it('rejects a gigantic value list, and accepts and scans a large one', () => {
    const huge = new SigmaEngine().add(
      rule({ 'Hashes|contains': Array.from({ length: 60_000 }, (_, i) => `h${i}`) }),
    );
    expect(huge.state).toBe('rejected');
    expect(huge.reason).toMatch(/too many values \(60000\)/);

    const engine = new SigmaEngine();
    const values = Array.from({ length: 40_000 }, (_, i) => `IMPHASH=${i.toString(16).padStart(32, '0')}`);
    expect(engine.add(rule({ 'Hashes|contains': values })).state).toBe('active');
    expect(engine.match({ Hashes: `SHA1=00,${values[39_999]}` })).toHaveLength(1);
    expect(engine.match({ Hashes: 'SHA1=00,IMPHASH=ffffffffffffffffffffffffffffffff' })).toHaveLength(0);
  });

  it('evaluates a several-megabyte value in bounded time', () => {
    const engine = new SigmaEngine();
    engine.add(rule({ 'CommandLine|contains': 'mimikatz' }));
    engine.add(rule({ 'CommandLine|re': 'sekurlsa::\\w+' }));
    const big = `${'x'.repeat(5_000_000)} mimikatz`;
    expect(engine.match({ CommandLine: big })).toHaveLength(1);
  });
});

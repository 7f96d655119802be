import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusSkip, hasCorpus, loadCorpus, regressionCases } from '../../test/corpus.ts';
import { mutateEvent } from '../bench/events.ts';
import { SigmaEngine } from '../engine.ts';
import { parseJsonValues } from '../event/json-stream.ts';
import { loadPipeline } from '../pipeline/index.ts';
import { parseSigmaText } from '../rule/load.ts';
import type { SigmaRule } from '../rule/model.ts';

function engines(rules: SigmaRule[], pipeline = loadPipeline('windows')) {
  const fast = new SigmaEngine({ pipeline });
  const full = new SigmaEngine({ pipeline, prefilter: false });
  for (const r of rules) {
    fast.add(r);
    full.add(r);
  }
  return { fast, full };
}

const rule = (detection: string): SigmaRule => {
  const text = `title: t\nlogsource: {product: windows, category: process_creation}\ndetection:\n${detection}`;
  const d = parseSigmaText(text, 't.yml').documents[0];
  if (d?.kind !== 'rule') throw new Error('not a rule');
  return d;
};
const sysmon1 = (data: Record<string, unknown>) => ({
  Event: { System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' }, EventData: data },
});

describe('pre-filter', () => {
  it('skips rules whose literals the event lacks, and evaluates the others in full', () => {
    const rules = [
      rule("  sel: {Image|endswith: '\\\\whoami.exe'}\n  condition: sel"),
      rule("  sel: {CommandLine|re: 'ipconfig\\s+/all'}\n  condition: sel"),
      rule('  sel: {CommandLine|contains: powershell}\n  condition: not sel'),
    ];
    const { fast } = engines(rules);
    const titles = (e: unknown) => fast.match(e).length;
    expect(titles(sysmon1({ Image: 'C:\\Windows\\System32\\WHOAMI.EXE', CommandLine: 'x' }))).toBe(2);
    expect(fast.counters.evaluations).toBe(2); // whoami + the negation; the regex was skipped
    expect(titles(sysmon1({ Image: 'a.exe', CommandLine: 'IPCONFIG   /all' }))).toBe(1); // regex is case-sensitive
    expect(titles(sysmon1({ Image: 'a.exe', CommandLine: 'ipconfig   /all' }))).toBe(2);
    expect(titles(sysmon1({ Image: 'a.exe', CommandLine: 'PowerShell -c ipconfig /all' }))).toBe(1);
  });

  it('finds an exact number in a number or a decimal string', () => {
    const rules = [rule('  sel: {ProcessId: 4242}\n  condition: sel')];
    const { fast } = engines(rules);
    expect(fast.match(sysmon1({ ProcessId: 4242 }))).toHaveLength(1);
    expect(fast.match(sysmon1({ ProcessId: '4242' }))).toHaveLength(1);
    expect(fast.match(sysmon1({ ProcessId: '4243' }))).toHaveLength(0);
    expect(fast.match(sysmon1({ ProcessId: 42420 }))).toHaveLength(0);
  });
});

describe.skipIf(!hasCorpus)(`pre-filter on the SigmaHQ corpus${corpusSkip}`, () => {
  it('matches exactly what full evaluation matches, on the regression samples and variations of them', () => {
    const rules = loadCorpus().documents.filter(
      (d): d is SigmaRule => d.kind === 'rule' && d.logsource.product === 'windows',
    );
    const { fast, full } = engines(rules);
    const samples = regressionCases().flatMap((c) => [
      ...parseJsonValues(readFileSync(c.eventsFile, 'utf8')),
    ]);
    let matches = 0;
    for (let i = 0; i < samples.length * 8; i++) {
      const event = i < samples.length ? samples[i] : mutateEvent(samples[i % samples.length], i);
      const want = full.match(event).map((r) => r.origin.file);
      expect(fast.match(event).map((r) => r.origin.file)).toEqual(want);
      matches += want.length;
    }
    expect(matches).toBeGreaterThan(samples.length);
    // The point of it: most rules are never evaluated.
    expect(fast.counters.evaluations).toBeLessThan(full.counters.evaluations / 10);
  }, 60_000);
});

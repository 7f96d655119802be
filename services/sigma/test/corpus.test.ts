import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SigmaEngine } from '../src/engine.ts';
import { parseJsonValues } from '../src/event/json-stream.ts';
import { loadPipeline } from '../src/pipeline/index.ts';
import { formatProblem, type SigmaRule } from '../src/rule/model.ts';
import { corpusSkip, hasCorpus, loadCorpus, regressionCases } from './corpus.ts';

describe.skipIf(!hasCorpus)(`SigmaHQ corpus${corpusSkip}`, () => {
  const corpus = hasCorpus ? loadCorpus() : { documents: [], problems: [], files: 0 };
  const rules = corpus.documents.filter((d): d is SigmaRule => d.kind === 'rule');

  it('parses every rule file of rules*/ with no rejection', () => {
    expect(corpus.files).toBeGreaterThan(3000);
    expect(corpus.problems.map(formatProblem)).toEqual([]);
  });

  it('compiles every rule, and routes every Windows rule through the windows pipeline', () => {
    const engine = new SigmaEngine({ pipeline: loadPipeline('windows') });
    for (const r of rules) engine.add(r);
    const rejected = engine.statuses.filter((s) => s.state === 'rejected').map((s) => `${s.rule.origin.file}: ${s.reason}`);
    expect(rejected).toEqual([]);
    const windowsNoSource = engine.statuses
      .filter((s) => s.state === 'no-source' && s.rule.logsource.product === 'windows')
      .map((s) => `${s.rule.origin.file}: ${s.reason}`);
    expect(windowsNoSource).toEqual([]);
  });

  const byId = new Map(rules.map((r) => [r.id, r]));
  const cases = hasCorpus ? regressionCases() : [];
  it('has the regression cases', () => {
    expect(cases.length).toBeGreaterThan(150);
  });

  it.each(cases.map((c) => [c.title, c] as const))('regression: %s', (_title, c) => {
    const rule = byId.get(c.ruleId);
    expect(rule, `rule ${c.ruleId} in the corpus`).toBeDefined();
    const engine = new SigmaEngine({ pipeline: loadPipeline('windows') });
    const status = engine.add(rule!);
    expect(status.state, status.reason).toBe('active');
    let matches = 0;
    for (const event of parseJsonValues(readFileSync(c.eventsFile, 'utf8'))) matches += engine.match(event).length;
    if (c.matchCount === undefined) expect(matches).toBeGreaterThan(0);
    else expect(matches).toBe(c.matchCount);
  });
});

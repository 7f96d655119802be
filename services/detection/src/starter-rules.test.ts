import { buildMessage } from '@soc/agent-shared';
import { normalize } from '@soc/normalize';
import { describe, expect, it } from 'vitest';
import { agentBody, RULES_DIR, type StarterCase, starterCases } from '../test/starter.ts';
import { evaluateLocally } from './local.ts';
import { pipelineFor, RuleSet, readRuleFiles } from './ruleset.ts';

const files = readRuleFiles([RULES_DIR]);
const rs = new RuleSet(pipelineFor('ecs'), { files: files.documents, states: [] });
const cases = starterCases();

let seq = 0;
function docs(c: StarterCase, entries: (string | Record<string, unknown>)[]): Record<string, unknown>[] {
  return entries.map((e) => {
    const body = agentBody(c, e);
    const msg = buildMessage('starter', 'collector01', 'logs', ++seq, {
      observed: new Date('2026-03-11T04:00:00Z'),
      line: body.line,
      event: body.event,
      source: { path: body.path, offset: 0 },
    });
    const r = normalize(JSON.stringify(msg), { now: () => new Date('2026-03-11T04:00:00Z') });
    if (!r.ok) throw new Error(`${c.rule}: dead letter ${r.reason}`);
    return r.doc as Record<string, unknown>;
  });
}

describe('starter rules (rules/sigma) through normalise → engine', () => {
  it('load without problems, every rule active', () => {
    expect([...files.problems, ...rs.problems]).toEqual([]);
    expect(
      rs.engine.statuses.filter((s) => s.state !== 'active').map((s) => `${s.rule.title}: ${s.reason}`),
    ).toEqual([]);
    expect(rs.rules.length).toBeGreaterThanOrEqual(15);
    expect(rs.correlations.length).toBeGreaterThanOrEqual(6);
  });

  it('every output rule and correlation has a fixture case', () => {
    const covered = new Set(cases.flatMap((c) => [c.rule, ...c.also]));
    const outputs = [
      ...rs.rules.filter((r) => rs.correlation.emits(r)).map((r) => r.id!),
      ...rs.correlation.correlations.filter((c) => c.output).map((c) => c.correlation.id!),
    ];
    expect(outputs.filter((id) => !covered.has(id))).toEqual([]);
  });

  for (const c of cases) {
    it(`${c.rule}: the true positive fires it (and only what it should)`, () => {
      const fired = new Set(evaluateLocally(rs, docs(c, c.true_positive)).map((m) => m.rule));
      expect([...fired].sort()).toEqual([c.rule, ...c.also].sort());
    });
    it(`${c.rule}: the benign events fire nothing`, () => {
      expect(evaluateLocally(rs, docs(c, c.benign))).toEqual([]);
    });
  }

  it('the whole benign corpus together fires nothing', () => {
    const all = cases.flatMap((c) => docs(c, c.benign));
    expect(all.length).toBeGreaterThan(20);
    expect(evaluateLocally(rs, all)).toEqual([]);
  });

  it('rule state: an exception silences only what it names; a disabled rule is not loaded', () => {
    const web = cases.find((c) => c.rule === '6a748bf3-5db2-4de2-92fb-1d4f28c3b3a4')!;
    const ps = cases.find((c) => c.rule === 'd0dd84f4-2faf-469a-be45-97a67456a0ee')!;
    const state = (id: string, over: object) => ({
      id,
      title: id,
      level: 'high',
      tags: [],
      logsource: {},
      source: '',
      enabled: true,
      exceptions: [],
      version: 2,
      updated_by: 'analyst',
      updated_at: '2026-03-11T03:00:00.000Z',
      ...over,
    });
    const exception = {
      id: 'e1',
      field: 'source.ip',
      values: ['203.0.113.14'],
      created_by: 'analyst',
      created_at: '2026-03-11T03:00:00.000Z',
    };
    const tuned = new RuleSet(pipelineFor('ecs'), {
      files: files.documents,
      states: [state(web.rule, { exceptions: [exception] }), state(ps.rule, { enabled: false })],
    });
    expect(tuned.version(tuned.rules.find((r) => r.id === web.rule)!)).toBe(2);
    // the exception names the web shell rule only: the command rule still fires on the same request
    expect(evaluateLocally(tuned, docs(web, web.true_positive)).map((m) => m.rule)).toEqual(web.also);
    expect(evaluateLocally(tuned, docs(ps, ps.true_positive))).toEqual([]);
    expect(tuned.fingerprint).not.toBe(rs.fingerprint);
  });
});

import { parseSigmaText, SigmaEngine, type SigmaFilter, type SigmaRule } from '@soc/sigma';
import { describe, expect, it } from 'vitest';
import { compileExceptions, exceptionFilterYaml, valuesAtPath } from './exceptions.ts';

const base = { created_by: 'analyst', created_at: '2026-03-11T03:00:00.000Z' };
const doc = {
  source: { ip: '10.0.0.5' },
  'user.name': 'svc_backup',
  soc: { organization: { id: 'org-1' } },
  tags: ['a', 'b'],
};

describe('rule exceptions', () => {
  it('reads nested, dotted and array paths', () => {
    expect(valuesAtPath(doc, 'source.ip')).toEqual(['10.0.0.5']);
    expect(valuesAtPath(doc, 'user.name')).toEqual(['svc_backup']);
    expect(valuesAtPath(doc, 'tags')).toEqual(['a', 'b']);
    expect(valuesAtPath(doc, 'host.name')).toEqual([]);
  });

  it('matches exact values, case-sensitively', () => {
    const m = compileExceptions([{ ...base, id: 'e1', field: 'user.name', values: ['svc_backup'] }]);
    expect(m(doc)?.id).toBe('e1');
    expect(m({ ...doc, 'user.name': 'SVC_BACKUP' })).toBeUndefined();
    expect(m({ ...doc, 'user.name': 'svc_backup2' })).toBeUndefined();
  });

  it('an exception of one organisation does not silence another', () => {
    const m = compileExceptions([
      { ...base, id: 'e2', field: 'source.ip', values: ['10.0.0.5'], organization_id: 'org-1' },
    ]);
    expect(m(doc)?.id).toBe('e2');
    expect(m({ ...doc, soc: { organization: { id: 'org-2' } } })).toBeUndefined();
    expect(m({ source: { ip: '10.0.0.5' } })).toBeUndefined();
  });

  it('exports as a Sigma filter that excludes the same events', () => {
    const rule = parseSigmaText(
      'title: r\nid: 11111111-2222-4333-8444-555555555555\nlogsource: {product: linux}\ndetection:\n  sel: {source.ip: 10.0.0.5}\n  condition: sel\n',
      'r.yml',
    ).documents[0] as SigmaRule;
    const e = { ...base, id: 'e3', field: 'user.name', values: ['svc_backup'], organization_id: 'org-1' };
    const filter = parseSigmaText(exceptionFilterYaml(rule.id!, { product: 'linux' }, e), 'f.yml')
      .documents[0] as SigmaFilter;
    expect(filter.kind).toBe('filter');
    const engine = new SigmaEngine();
    engine.addFilter(filter);
    engine.add(rule);
    expect(engine.match(doc)).toEqual([]);
    expect(engine.match({ ...doc, 'user.name': 'SVC_BACKUP' })).toEqual([rule]);
    expect(engine.match({ ...doc, soc: { organization: { id: 'org-2' } } })).toEqual([rule]);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SigmaError } from '../detection/types.ts';
import { loadPipeline, PIPELINES_DIR, parsePipeline } from './load.ts';

const minimal = `
name: tiny
fieldPrefixes: [data.]
fields: { EventID: id }
logsources:
  - id: one
    logsource: { category: Process_Creation, product: [Windows, winnt] }
    conditions: { EventID: [1, '4688'], Channel: { exists: true }, Path: '/var/log/*' }
`;

function errorOf(fn: () => unknown): SigmaError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SigmaError);
    return err as SigmaError;
  }
  throw new Error('expected a SigmaError');
}

describe('parsePipeline', () => {
  it('compiles entries: lower-cased logsource lists, resolved condition paths, normalised values', () => {
    const p = parsePipeline(minimal, 'tiny.yml');
    expect(p.name).toBe('tiny');
    expect(p.file).toBe('tiny.yml');
    const [s] = p.sources;
    expect(s?.name).toBe('one');
    expect(s?.id).toBe(0);
    expect(s?.logsource).toEqual({ category: ['process_creation'], product: ['windows', 'winnt'] });
    const [eventId, channel, path] = s!.conditions;
    expect(eventId).toMatchObject({ kind: 'values', paths: ['id'], exact: new Set(['1', '4688']) });
    expect(channel).toMatchObject({ kind: 'exists', paths: ['data.Channel', 'Channel'], exists: true });
    expect(path?.kind === 'values' && path.globs[0]?.test('/var/log/auth.log')).toBe(true);
  });

  it('rejects a YAML syntax error with the source and line', () => {
    const err = errorOf(() => parsePipeline('name: x\nlogsources:\n  - id: [unclosed\n', 'bad.yml'));
    expect(err.message).toMatch(/^bad\.yml:\d+: invalid YAML/);
  });

  it('rejects an unknown key with its path and line', () => {
    const text =
      'name: x\nlogsources:\n  - id: a\n    logsource: { product: windows }\n    condition: { EventID: 1 }\n';
    const err = errorOf(() => parsePipeline(text, 'typo.yml'));
    expect(err.message).toMatch(/^typo\.yml:3: invalid pipeline at logsources\.0/);
    expect(err.message).toContain('condition');
  });

  it('rejects a logsource entry with no category, product or service', () => {
    const err = errorOf(() =>
      parsePipeline('name: x\nlogsources:\n  - { id: a, logsource: {} }\n', 'empty.yml'),
    );
    expect(err.message).toContain('at least one of category, product, service');
    expect(err.path).toBe('logsources.0.logsource');
  });

  it('rejects a null condition value and duplicate ids', () => {
    const nul =
      'name: x\nlogsources:\n  - { id: a, logsource: { product: w }, conditions: { EventID: null } }\n';
    expect(errorOf(() => parsePipeline(nul, 'n.yml')).message).toContain('logsources.0.conditions.EventID');
    const dup =
      'name: x\nlogsources:\n  - { id: a, logsource: { product: w } }\n  - { id: a, logsource: { product: w } }\n';
    expect(errorOf(() => parsePipeline(dup, 'd.yml')).message).toMatch(/^d\.yml:4: .*duplicate id 'a'/);
  });

  it('rejects a file without logsources and an empty file', () => {
    expect(errorOf(() => parsePipeline('name: x\n', 'x.yml')).message).toContain('logsources');
    expect(errorOf(() => parsePipeline('', 'e.yml')).message).toMatch(/^e\.yml: invalid pipeline/);
  });

  it('expands anchors and merge keys', () => {
    const text = `
name: x
templates:
  common: &common { A: a.path }
logsources:
  - { id: s, logsource: { product: w }, fields: { <<: *common, B: b.path } }
`;
    const [s] = parsePipeline(text, 'x.yml').sources;
    expect(Object.fromEntries(s!.fields)).toEqual({ A: ['a.path'], B: ['b.path'] });
  });
});

describe('loadPipeline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sigma-pipeline-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the shipped pipelines by name under rules/pipelines', () => {
    expect(PIPELINES_DIR).toMatch(/rules[\\/]pipelines$/);
    const windows = loadPipeline('windows');
    expect(windows.name).toBe('windows');
    expect(windows.file).toBe(join(PIPELINES_DIR, 'windows.yml'));
    expect(loadPipeline('ecs').name).toBe('ecs');
  });

  it('reads a pipeline from a path', () => {
    const file = join(dir, 'tiny.yml');
    writeFileSync(file, minimal);
    expect(loadPipeline(file).sources).toHaveLength(1);
  });

  it('names the file of a bad pipeline', () => {
    const file = join(dir, 'broken.yml');
    writeFileSync(file, 'name: broken\nlogsources: [ {id: a, logsource: {product: windows}\n');
    const err = errorOf(() => loadPipeline(file));
    expect(err.message.startsWith(`${file}:`)).toBe(true);
    expect(err.message).toContain('invalid YAML');
  });

  it('names the file that does not exist', () => {
    const err = errorOf(() => loadPipeline('no-such-pipeline'));
    expect(err.message).toBe(
      `${join(PIPELINES_DIR, 'no-such-pipeline.yml')}: cannot read pipeline: no such file`,
    );
  });
});

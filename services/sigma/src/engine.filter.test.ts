import { describe, expect, it } from 'vitest';
import { SigmaEngine } from './engine.ts';
import { parseSigmaText } from './rule/load.ts';
import type { SigmaFilter, SigmaRule } from './rule/model.ts';

/** Filters (meta filter documents, sigma-filters-specification.md): rule AND NOT filter. */
const docs = (text: string) => parseSigmaText(text, 'f.yml').documents;

const RULES = `title: Data Compressed - rar.exe
id: 6f3e2987-db24-4c78-a860-b4f4095a7095
name: rar_compress
logsource: {category: process_creation, product: windows}
detection:
  sel: {Image|endswith: '\\rar.exe'}
  condition: sel
---
title: Whoami
id: 11111111-2222-3333-4444-555555555555
logsource: {category: process_creation, product: windows}
detection:
  sel: {Image|endswith: '\\whoami.exe'}
  condition: sel
---
title: Rar on Linux
name: rar_linux
logsource: {category: process_creation, product: linux}
detection:
  sel: {Image|endswith: '/rar'}
  condition: sel
`;

const filter = (rules: string, logsource = '{category: process_creation, product: windows}') =>
  docs(`title: Filter Administrator account
logsource: ${logsource}
filter:
  rules: ${rules}
  selection:
    User|startswith: 'adm_'
  condition: selection
`)[0] as SigmaFilter;

function engine(...filters: SigmaFilter[]): SigmaEngine {
  const e = new SigmaEngine();
  for (const f of filters) e.addFilter(f);
  for (const d of docs(RULES)) if (d.kind === 'rule') e.add(d as SigmaRule);
  return e;
}
const titles = (e: SigmaEngine, event: unknown) => e.match(event).map((r) => r.title);

describe('Sigma filters', () => {
  it('is a filter document with its own kind', () => {
    expect(filter('[x]').kind).toBe('filter');
  });

  it('excludes the events it selects from the rules it names by id', () => {
    const e = engine(filter('[6f3e2987-db24-4c78-a860-b4f4095a7095]'));
    expect(titles(e, { Image: 'C:\\rar.exe', User: 'adm_nam' })).toEqual([]);
    expect(titles(e, { Image: 'C:\\rar.exe', User: 'nam' })).toEqual(['Data Compressed - rar.exe']);
  });

  it('names rules by name too, and leaves the rules it does not name alone', () => {
    const e = engine(filter('[rar_compress]'));
    expect(titles(e, { Image: 'C:\\rar.exe', User: 'adm_x' })).toEqual([]);
    expect(titles(e, { Image: 'C:\\whoami.exe', User: 'adm_x' })).toEqual(['Whoami']);
  });

  it('applies only to rules whose logsource matches its own', () => {
    const e = engine(filter('[rar_compress, rar_linux]'));
    // rar_linux is named, but the filter is for Windows process creation.
    expect(titles(e, { Image: '/usr/bin/rar', User: 'adm_x' })).toEqual(['Rar on Linux']);
    expect(titles(e, { Image: 'C:\\rar.exe', User: 'adm_x' })).toEqual([]);
  });

  it('several filters on one rule each exclude', () => {
    const second = docs(`title: Filter backup host
logsource: {product: windows}
filter:
  rules: rar_compress
  host:
    Computer: BACKUP01
  condition: host
`)[0] as SigmaFilter;
    const e = engine(filter('[rar_compress]'), second);
    expect(titles(e, { Image: 'C:\\rar.exe', User: 'u', Computer: 'backup01' })).toEqual([]);
    expect(titles(e, { Image: 'C:\\rar.exe', User: 'adm_u', Computer: 'ws1' })).toEqual([]);
    expect(titles(e, { Image: 'C:\\rar.exe', User: 'u', Computer: 'ws1' })).toEqual([
      'Data Compressed - rar.exe',
    ]);
  });
});

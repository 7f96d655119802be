import { describe, expect, it } from 'vitest';
import { parsePipeline } from './load.ts';
import { holds, sourcesFor, sourcesOfEvent } from './route.ts';
import { ANY_SOURCE, type Pipeline } from './types.ts';

const p = parsePipeline(
  `
name: test
fieldPrefixes: [data.]
fields: { EventID: [sys.id, sys.id.#text], Channel: sys.channel }
logsources:
  - { id: proc, logsource: { category: process_creation, product: windows }, conditions: { Channel: Sysmon, EventID: 1 } }
  - { id: proc_sec, logsource: { category: process_creation, product: windows }, conditions: { Channel: Security, EventID: 4688 } }
  - { id: reg_add, logsource: { category: registry_add, product: windows }, conditions: { Channel: Sysmon, EventID: 12, EventType: CreateKey } }
  - { id: reg_event, logsource: { category: registry_event, product: windows }, conditions: { Channel: Sysmon, EventID: [12, 13, 14] } }
  - { id: sec, logsource: { product: windows, service: security }, conditions: { Channel: Security } }
  - { id: sysmon, logsource: { product: windows, service: sysmon }, conditions: { Channel: Sysmon } }
  - { id: any_windows, logsource: { product: windows }, conditions: { EventID: { exists: true } } }
  - { id: auth, logsource: { product: linux, service: auth }, conditions: { path: /var/log/auth.log* } }
  - { id: web, logsource: { category: webserver }, conditions: { kind: web, Channel: { exists: false } } }
`,
  'test.yml',
);

const names = (ids: Iterable<number>) => [...ids].map((i) => p.sources[i]!.name).sort();
const winEvent = (channel: string, id: unknown, data: Record<string, unknown> = {}) => ({
  sys: { channel, id },
  data,
});

describe('sourcesFor', () => {
  it('serves a category rule by every entry of that category and product', () => {
    expect(names(sourcesFor(p, { category: 'process_creation', product: 'windows' }))).toEqual([
      'proc',
      'proc_sec',
    ]);
  });

  it('compares case-insensitively and ignores definition', () => {
    const ids = sourcesFor(p, { category: 'Process_Creation', product: 'WINDOWS', definition: 'x' });
    expect(names(ids)).toEqual(['proc', 'proc_sec']);
  });

  it('serves a service rule by its service entry only', () => {
    expect(names(sourcesFor(p, { product: 'windows', service: 'security' }))).toEqual(['sec']);
  });

  it('serves a product-only rule by every entry of the product', () => {
    expect(sourcesFor(p, { product: 'windows' })).toHaveLength(7);
  });

  it('serves a category-only rule regardless of product', () => {
    expect(names(sourcesFor(p, { category: 'webserver' }))).toEqual(['web']);
  });

  it('knows no source for an unknown category, product or a key the entry does not set', () => {
    expect(sourcesFor(p, { category: 'no_such_category', product: 'windows' })).toEqual([]);
    expect(sourcesFor(p, { product: 'macos' })).toEqual([]);
    expect(sourcesFor(p, { category: 'webserver', product: 'linux' })).toEqual([]);
  });

  it('without a pipeline every rule stands for ANY_SOURCE', () => {
    expect(sourcesFor(undefined, { category: 'whatever' })).toEqual([ANY_SOURCE]);
  });
});

describe('sourcesOfEvent', () => {
  it('routes by channel and event id, comparing ids numerically', () => {
    expect(names(sourcesOfEvent(p, winEvent('Sysmon', 1)))).toEqual(['any_windows', 'proc', 'sysmon']);
    expect(names(sourcesOfEvent(p, winEvent('security', '4688')))).toEqual([
      'any_windows',
      'proc_sec',
      'sec',
    ]);
    expect(names(sourcesOfEvent(p, winEvent('Security', 4624)))).toEqual(['any_windows', 'sec']);
  });

  it('reads an event id rendered with qualifiers', () => {
    const e = winEvent('Sysmon', { '#attributes': { Qualifiers: 0 }, '#text': 1 });
    expect(names(sourcesOfEvent(p, e))).toEqual(['any_windows', 'proc', 'sysmon']);
  });

  it('checks conditions beyond the index per event', () => {
    expect(names(sourcesOfEvent(p, winEvent('Sysmon', 12, { EventType: 'CreateKey' })))).toEqual([
      'any_windows',
      'reg_add',
      'reg_event',
      'sysmon',
    ]);
    expect(names(sourcesOfEvent(p, winEvent('Sysmon', 12, { EventType: 'DeleteKey' })))).toEqual([
      'any_windows',
      'reg_event',
      'sysmon',
    ]);
  });

  it('matches wildcards, presence and absence', () => {
    expect(names(sourcesOfEvent(p, { path: '/var/log/auth.log.1' }))).toEqual(['auth']);
    expect(names(sourcesOfEvent(p, { path: '/var/log/syslog' }))).toEqual([]);
    expect(names(sourcesOfEvent(p, { kind: 'web' }))).toEqual(['web']);
    expect(names(sourcesOfEvent(p, { kind: 'web', sys: { channel: 'Security' } }))).toEqual(['sec']);
  });

  it('counts a field present with a null value as present', () => {
    expect(names(sourcesOfEvent(p, { kind: 'web', sys: { channel: null } }))).toEqual([]);
  });

  it('returns the same set for events of the same kind (no allocation per event)', () => {
    const a = sourcesOfEvent(p, winEvent('Sysmon', 12, { EventType: 'CreateKey', TargetObject: 'a' }));
    const b = sourcesOfEvent(p, winEvent('Sysmon', 12, { EventType: 'createkey', TargetObject: 'b' }));
    expect(b).toBe(a);
    expect(sourcesOfEvent(p, winEvent('Sysmon', 1))).toBe(sourcesOfEvent(p, winEvent('Sysmon', 1)));
    expect(sourcesOfEvent(p, winEvent('Sysmon', 1))).toEqual(sourcesOfEvent(p, winEvent('sysmon', '1')));
  });

  it('routes a multi-valued index field by any of its values', () => {
    const e = { sys: { channel: ['Application', 'Security'], id: [4688, '4688'] } };
    expect(names(sourcesOfEvent(p, e))).toEqual(['any_windows', 'proc_sec', 'sec']);
    expect(names(sourcesOfEvent(p, { sys: { channel: ['Sysmon', 'x'], id: 1 } }))).toEqual([
      'any_windows',
      'proc',
      'sysmon',
    ]);
  });

  it('keeps a raw value starting with NUL apart from composite keys', () => {
    const odd = { sys: { channel: '\u0000security', id: 1 } };
    expect(names(sourcesOfEvent(p, odd))).toEqual(['any_windows']);
    expect(names(sourcesOfEvent(p, { sys: { channel: ['\u0000security', 'Security'], id: 1 } }))).toEqual([
      'any_windows',
      'sec',
    ]);
  });

  it('stays correct when hostile input overflows the routing cache', () => {
    for (let id = 0; id < 12_000; id++) sourcesOfEvent(p, winEvent('Security', id));
    expect(names(sourcesOfEvent(p, winEvent('Security', 4688)))).toEqual(['any_windows', 'proc_sec', 'sec']);
    expect(names(sourcesOfEvent(p, winEvent('Sysmon', 1)))).toEqual(['any_windows', 'proc', 'sysmon']);
  });

  it('belongs to no source when nothing holds, and to ANY_SOURCE without a pipeline', () => {
    expect(sourcesOfEvent(p, { unrelated: true }).size).toBe(0);
    expect(sourcesOfEvent(p, null).size).toBe(0);
    expect([...sourcesOfEvent(undefined, {})]).toEqual([ANY_SOURCE]);
  });

  it('stays correct with many residual entries (beyond a 30-bit mask)', () => {
    const entries = Array.from(
      { length: 40 },
      (_, i) =>
        `  - { id: e${i}, logsource: { product: x }, conditions: { n: ${i}, tag: { exists: true } } }`,
    );
    const big: Pipeline = parsePipeline(`name: big\nlogsources:\n${entries.join('\n')}\n`, 'big.yml');
    for (const n of [0, 17, 35, 39]) {
      expect([...sourcesOfEvent(big, { n, tag: 1 })].map((i) => big.sources[i]!.name)).toEqual([`e${n}`]);
      expect(sourcesOfEvent(big, { n }).size).toBe(0);
    }
  });
});

describe('holds', () => {
  it('matches any value of a multi-valued field', () => {
    const [cond] = p.sources.find((s) => s.name === 'web')!.conditions;
    expect(holds(cond!, { kind: ['network', 'web'] })).toBe(true);
    expect(holds(cond!, { kind: ['network'] })).toBe(false);
  });
});

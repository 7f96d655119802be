import { describe, expect, it } from 'vitest';
import { eventTime, existsAt, fieldResolver, valuesAt } from './fields.ts';
import { parsePipeline } from './load.ts';

const p = parsePipeline(
  `
name: test
timeField: sys.time
fieldPrefixes: [data., sys.]
fields: { EventID: [sys.id, sys.id.#text], User: user.name }
logsources:
  - { id: plain, logsource: { product: w, service: a } }
  - { id: also_plain, logsource: { product: w, service: b } }
  - { id: renamed, logsource: { product: w, service: c }, fields: { Image: data.NewProcessName, User: [user.name, data.User] } }
  - { id: own_prefix, logsource: { product: w, service: d }, fieldPrefixes: [other.] }
`,
  'test.yml',
);

describe('fieldResolver', () => {
  it('looks an unrenamed field up under each prefix, then as written', () => {
    expect(fieldResolver(p, 0)('Image')).toEqual(['data.Image', 'sys.Image', 'Image']);
  });

  it('applies global renames, as written and without prefixes', () => {
    expect(fieldResolver(p, 0)('EventID')).toEqual(['sys.id', 'sys.id.#text']);
  });

  it('prefers a source rename to a global rename to the prefixes', () => {
    const r = fieldResolver(p, 2);
    expect(r('Image')).toEqual(['data.NewProcessName']);
    expect(r('User')).toEqual(['user.name', 'data.User']);
    expect(r('EventID')).toEqual(['sys.id', 'sys.id.#text']);
    expect(r('CommandLine')).toEqual(['data.CommandLine', 'sys.CommandLine', 'CommandLine']);
  });

  it("uses a source's own prefixes instead of the pipeline's", () => {
    expect(fieldResolver(p, 3)('Image')).toEqual(['other.Image', 'Image']);
  });

  it('shares one resolver among sources without renames of their own, and caches paths', () => {
    expect(fieldResolver(p, 0)).toBe(fieldResolver(p, 1));
    expect(fieldResolver(p, 0)).toBe(fieldResolver(p, undefined));
    expect(fieldResolver(p, 2)).not.toBe(fieldResolver(p, 0));
    const r = fieldResolver(p, 0);
    expect(r('X')).toBe(r('X'));
    expect(Object.isFrozen(r('X'))).toBe(true);
  });

  it('uses field names as they are without a pipeline', () => {
    expect(fieldResolver(undefined, undefined)('process.executable')).toEqual(['process.executable']);
  });
});

describe('valuesAt / existsAt', () => {
  const event = { data: { Image: 'a.exe', Empty: null }, Image: 'flat.exe', sys: { id: 4 } };

  it('returns the union of the values at every path', () => {
    expect(valuesAt(event, fieldResolver(p, 0)('Image'))).toEqual(['a.exe', 'flat.exe']);
    expect(valuesAt(event, fieldResolver(p, 0)('EventID'))).toEqual([4]);
    expect(valuesAt(event, fieldResolver(p, 0)('Missing'))).toEqual([]);
  });

  it('finds a field present under any path, null values included', () => {
    expect(existsAt(event, fieldResolver(p, 0)('Empty'))).toBe(true);
    expect(existsAt(event, fieldResolver(p, 0)('Missing'))).toBe(false);
  });
});

describe('eventTime', () => {
  it('reads the pipeline time field, then @timestamp', () => {
    expect(eventTime(p, { sys: { time: '2025-11-27T07:40:10.165324Z' } })).toBe(
      Date.UTC(2025, 10, 27, 7, 40, 10, 165),
    );
    expect(eventTime(p, { '@timestamp': '2026-01-02T03:04:05Z' })).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(eventTime(p, { sys: { time: 'garbage' }, '@timestamp': '2026-01-02T03:04:05Z' })).toBe(
      Date.UTC(2026, 0, 2, 3, 4, 5),
    );
  });

  it('takes epoch seconds and milliseconds, and a date-time without zone as UTC', () => {
    expect(eventTime(undefined, { '@timestamp': 1_700_000_000 })).toBe(1_700_000_000_000);
    expect(eventTime(undefined, { '@timestamp': 1_700_000_000_123 })).toBe(1_700_000_000_123);
    expect(eventTime(undefined, { '@timestamp': '1700000000' })).toBe(1_700_000_000_000);
    expect(eventTime(undefined, { '@timestamp': '2025-11-27 07:40:10.132' })).toBe(
      Date.UTC(2025, 10, 27, 7, 40, 10, 132),
    );
  });

  it('is undefined when there is no time', () => {
    expect(eventTime(p, { x: 1 })).toBeUndefined();
    expect(eventTime(p, 'not an object')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { rawPage } from './raw.ts';

describe('rawPage: the queue page from Elasticsearch’s answer as text', () => {
  // Sources whose content looks like the structure around them: quotes, escapes, braces,
  // brackets and a `_source`/`sort` member inside an alert must stay inside that alert.
  const hostile = [
    { id: 'a"1', fields: { x: '},{"_source":{"id":"fake"}},"sort":[0]}]}' } },
    { id: 'b\\', fields: { _source: { sort: [1, 2] }, arr: [{}, [], [[{ '"': '\\"' }]]], e: '' } },
    { id: 'c', fields: { u: 'chữ có dấu \u2028 \u0000 😀', n: -1.5e3, t: true, f: false, z: null } },
  ];
  const es = (hits: object[], total: object | number = { value: hits.length, relation: 'eq' }) =>
    JSON.stringify({ hits: { total, hits } });

  it('copies each source as it is and reads the total and the last sort values', () => {
    const text = es(hostile.map((s, i) => ({ _source: s, sort: [i * 10, `id-${i}`] })));
    const page = rawPage(text);
    expect(page.sources.map((s) => JSON.parse(s))).toEqual(hostile);
    expect(page.sources[0]).toBe(JSON.stringify(hostile[0]));
    expect(page.total).toBe(3);
    expect(page.lastSort).toEqual([20, 'id-2']);
    // What the route sends: valid JSON with the sources in order.
    expect(JSON.parse(`{"items":[${page.sources.join(',')}],"total":${page.total}}`)).toEqual({
      items: hostile,
      total: 3,
    });
  });

  it('reads pretty-printed answers, a numeric total, no hits, and refuses a truncated one', () => {
    const pretty = JSON.stringify(
      { hits: { total: 7, hits: [{ _source: hostile[1], sort: [null] }] } },
      null,
      2,
    );
    const page = rawPage(pretty);
    expect(page.sources.map((s) => JSON.parse(s))).toEqual([hostile[1]]);
    expect(page.total).toBe(7);
    expect(page.lastSort).toEqual([null]);
    expect(rawPage('{"hits":{"total":{"value":0,"relation":"eq"}}}')).toEqual({
      sources: [],
      lastSort: undefined,
      total: 0,
    });
    expect(rawPage('{}')).toEqual({ sources: [], lastSort: undefined, total: 0 });
    const text = es([{ _source: hostile[0], sort: [1] }]);
    expect(() => rawPage(text.slice(0, text.length - 10))).toThrow(SyntaxError);
  });
});

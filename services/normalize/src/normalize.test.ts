import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { get } from './doc.ts';
import { normalize } from './normalize.ts';
import { agentMessage, contractBreaches, ecs, FIXED_NOW, FIXTURES } from './testing.ts';

describe('normalize: the envelope every document shares', () => {
  it('agent, host, times, original, id', () => {
    const m = agentMessage({ line: 'hello world', input: 'app', path: '/var/log/app.log', host: 'web01' });
    const r = normalize(JSON.stringify(m), { now: () => FIXED_NOW });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.id).toBe(m.id);
    expect(r.source).toBe('raw');
    expect(r.doc).toMatchObject({
      '@timestamp': m.observed,
      message: 'hello world',
      agent: { id: 'agent-test', name: 'web01', type: 'soc-agent' },
      host: { name: 'web01' },
      event: {
        created: m.observed,
        ingested: FIXED_NOW.toISOString(),
        original: 'hello world',
        id: m.id,
        kind: 'event',
      },
      log: { file: { path: '/var/log/app.log' }, offset: 0 },
      input: { type: 'app' },
    });
  });

  it('event.original can be turned off', () => {
    expect(get(ecs({ line: 'x' }, { keepOriginal: false }).doc, 'event.original')).toBeUndefined();
  });

  it('an input mapped to a parser is read by it, not sniffed', () => {
    // looks like syslog, but the operator says this input is nginx's error log
    const r = ecs({ line: 'Mar 11 10:00:00 h p: x', input: 'edge' }, { parsers: { edge: 'web.error' } });
    expect(r.source).toBe('web.error');
    expect(get(r.doc, 'tags')).toEqual(['_parse_failure']);
  });

  it('agent flags: a truncated line and a JSON line that did not parse', () => {
    const m = {
      ...agentMessage({ line: '{"a":' }),
      truncated: true,
      parseError: 'Unexpected end of JSON input',
    };
    const r = normalize(JSON.stringify(m));
    if (!r.ok) throw new Error('dead letter');
    expect(get(r.doc, 'tags')).toEqual(['truncated', '_json_parse_failure']);
    expect(get(r.doc, 'error.message')).toBe('agent: Unexpected end of JSON input');
  });

  it('binary noise and invalid UTF-8 in a line: kept as text, within the contract', () => {
    const noise = readFileSync(join(FIXTURES, 'binary.bin')).toString('latin1');
    const r = ecs({ line: noise });
    expect(r.doc.message).toBe(noise);
    const bytes = Buffer.concat([
      Buffer.from(JSON.stringify(agentMessage({ line: 'A' })).slice(0, -2)),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const bad = normalize(bytes);
    expect(bad.ok).toBe(true);
    if (bad.ok) expect(bad.doc.message).toBe('A\ufffd\ufffd');
  });

  it('cuts strings longer than the contract allows and tags the document', () => {
    const r = ecs({ line: 'x'.repeat(25_000) });
    expect((r.doc.message as string).length).toBe(10_000);
    expect(get(r.doc, 'tags')).toContain('_truncated_field');
    expect(contractBreaches(r.doc)).toEqual([]);
  });

  it('dead letters: oversize, invalid JSON, not an agent message — each with the reason', () => {
    const big = JSON.stringify(agentMessage({ line: 'y'.repeat(2000) }));
    expect(normalize(big, { maxMessageBytes: 1000 })).toMatchObject({ ok: false, reason: 'oversize' });
    expect(normalize('{"v":1,')).toMatchObject({ ok: false, reason: 'invalid_json' });
    expect(normalize('\u0000\u0001binary')).toMatchObject({ ok: false, reason: 'invalid_json' });
    const wrong = normalize(JSON.stringify({ v: 1, agent: 'a', input: 'i', seq: 'x', id: 'a:1' }));
    expect(wrong).toMatchObject({ ok: false, reason: 'invalid_message', id: 'a:1', agent: 'a' });
    if (!wrong.ok) expect(wrong.detail).toMatch(/seq/);
    expect(normalize('[]')).toMatchObject({ ok: false, reason: 'invalid_message' });
  });

  it('generic JSON: flat json.* strings, capped, message and time picked up', () => {
    const r = ecs({
      event: {
        msg: 'login ok',
        level: 'INFO',
        time: '2026-03-11T01:02:03Z',
        user: { id: 7, roles: ['a', 'b'] },
      },
    });
    expect(r.source).toBe('json');
    expect(r.doc.message).toBe('login ok');
    expect(r.doc['@timestamp']).toBe('2026-03-11T01:02:03.000Z');
    expect(get(r.doc, 'json')).toMatchObject({ user_id: '7', user_roles: 'a, b' });
    const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(get(ecs({ event: wide }).doc, 'json') as object)).toHaveLength(100);
  });
});

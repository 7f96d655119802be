import { describe, expect, it } from 'vitest';
import { LineSplitter } from './lines.ts';
import { MultilineGrouper } from './multiline.ts';
import { parseLine } from './parse.ts';

describe('LineSplitter', () => {
  it('holds a line written in pieces until its newline, with exact byte offsets', () => {
    const s = new LineSplitter(1024, 100);
    expect([...s.push(Buffer.from('first\nsec'))].map((l) => [l.text, l.start, l.end])).toEqual([
      ['first', 100, 106],
    ]);
    expect([...s.push(Buffer.from('ond pa'))]).toEqual([]);
    expect(s.pendingBytes).toBe(9);
    expect([...s.push(Buffer.from('rt\r\nthird\n'))].map((l) => [l.text, l.start, l.end])).toEqual([
      ['second part', 106, 119],
      ['third', 119, 125],
    ]);
  });

  it('keeps multi-byte characters split across chunks intact', () => {
    const s = new LineSplitter(1024, 0);
    const bytes = Buffer.from('Sở Thông tin và Truyền thông\n');
    const got = [...s.push(bytes.subarray(0, 3)), ...s.push(bytes.subarray(3))];
    expect(got.map((l) => l.text)).toEqual(['Sở Thông tin và Truyền thông']);
    expect(got[0]!.end).toBe(bytes.length);
  });

  it('cuts an over-long line at maxBytes, flags it, and still counts every byte for the offset', () => {
    const s = new LineSplitter(10, 0);
    const got = [...s.push(Buffer.from(`${'x'.repeat(25)}\nok\n`))];
    expect(got.map((l) => [l.text, l.truncated, l.end])).toEqual([
      ['x'.repeat(10), true, 26],
      ['ok', false, 29],
    ]);
  });

  it('gives up a partial last line only when asked (a rotated file its writer left)', () => {
    const s = new LineSplitter(100, 0);
    expect([...s.push(Buffer.from('a\nb'))].length).toBe(1);
    expect(s.flushPartial()).toMatchObject({ text: 'b', start: 2, end: 3 });
    expect(s.flushPartial()).toBeUndefined();
  });
});

describe('MultilineGrouper', () => {
  const line = (text: string, start: number) => ({
    text,
    start,
    end: start + text.length + 1,
    truncated: false,
  });

  it('joins continuation lines to the line that started the event', () => {
    const g = new MultilineGrouper({ start: /^\d{4}-/, maxLines: 100, maxBytes: 10_000 });
    expect(g.push(line('2026-01-01 boom', 0))).toBeUndefined();
    expect(g.push(line('  at a()', 16))).toBeUndefined();
    expect(g.push(line('  at b()', 25))).toBeUndefined();
    const done = g.push(line('2026-01-01 next', 34));
    expect(done).toEqual({
      text: '2026-01-01 boom\n  at a()\n  at b()',
      start: 0,
      end: 34,
      truncated: false,
    });
    expect(g.flush()?.text).toBe('2026-01-01 next');
  });

  it('closes a group at maxLines', () => {
    const g = new MultilineGrouper({ start: /^START/, maxLines: 2, maxBytes: 10_000 });
    g.push(line('START', 0));
    g.push(line('a', 6));
    expect(g.push(line('b', 8))?.text).toBe('START\na');
  });
});

describe('parseLine', () => {
  it('parses JSON objects and ships anything else raw with the reason', () => {
    expect(parseLine('json', '{"event_type":"alert","src_ip":"10.0.0.1"}')).toEqual({
      event: { event_type: 'alert', src_ip: '10.0.0.1' },
    });
    expect(parseLine('json', '{"broken"')).toMatchObject({
      line: '{"broken"',
      parseError: expect.stringMatching(/^invalid JSON/),
    });
    expect(parseLine('json', '[1,2]')).toMatchObject({ parseError: 'JSON line is not an object' });
    expect(parseLine('lines', '{"a":1}')).toEqual({ line: '{"a":1}' });
  });
});

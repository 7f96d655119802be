import { describe, expect, it } from 'vitest';
import { parseJsonValues, readJsonItems } from './json-stream.ts';

describe('parseJsonValues', () => {
  it('reads JSON Lines', () => {
    expect([...parseJsonValues('{"a":1}\n{"a":2}\n')]).toEqual([{ a: 1 }, { a: 2 }]);
  });
  it('reads concatenated pretty-printed objects with braces inside strings', () => {
    const text = '{\n "a": "}{\\"",\n "b": [1, {"c": 2}]\n}{"d": "x"}';
    expect([...parseJsonValues(text)]).toEqual([{ a: '}{"', b: [1, { c: 2 }] }, { d: 'x' }]);
  });
  it('rejects garbage between values and truncated input', () => {
    expect(() => [...parseJsonValues('{"a":1} x {"b":2}')]).toThrow(/unexpected "x"/);
    expect(() => [...parseJsonValues('{"a":1')]).toThrow(/truncated/);
  });
});

describe('readJsonItems', () => {
  it('reports a malformed JSON line with its number and goes on with the next', () => {
    const items = [...readJsonItems('{"a":1}\n{"a": broken\n\n{"a":3}\n')];
    expect(items).toEqual([
      { value: { a: 1 }, line: 1 },
      { error: expect.stringMatching(/JSON/), line: 2 },
      { value: { a: 3 }, line: 4 },
    ]);
  });

  it('reads concatenated values with their line, and stops at the first broken one', () => {
    const items = [...readJsonItems('{\n "a": 1\n}\n{\n "b": oops\n}\n{"c": 3}')];
    expect(items).toEqual([
      { value: { a: 1 }, line: 1 },
      { error: expect.any(String), line: 4 },
    ]);
  });
});

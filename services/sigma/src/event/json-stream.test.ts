import { describe, expect, it } from 'vitest';
import { parseJsonValues } from './json-stream.ts';

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

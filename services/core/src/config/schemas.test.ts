import { describe, expect, it } from 'vitest';
import { baseServiceSchema, flag, port } from './schemas.ts';

describe('flag', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['1', true],
    ['0', false],
    ['yes', true],
    ['no', false],
    ['on', true],
    ['off', false],
    [true, true],
    [false, false],
  ] as const)('parses %j as %s', (input, expected) => {
    expect(flag.parse(input)).toBe(expected);
  });

  it.each(['maybe', 'TRUE ', '2', '', 1])('rejects %j', (input) => {
    expect(flag.safeParse(input).success).toBe(false);
  });
});

describe('port', () => {
  it('coerces text and bounds the range', () => {
    expect(port.parse('8080')).toBe(8080);
    expect(port.safeParse('65536').success).toBe(false);
    expect(port.safeParse('-1').success).toBe(false);
    expect(port.safeParse('80.5').success).toBe(false);
    expect(port.safeParse('http').success).toBe(false);
  });
});

describe('baseServiceSchema', () => {
  it('fills every section with defaults from an empty object', () => {
    expect(baseServiceSchema.parse({})).toEqual({
      log: { level: 'info', pretty: false },
      nats: { url: 'nats://127.0.0.1:4222' },
      elasticsearch: { url: 'http://127.0.0.1:9200', requestTimeoutMs: 30_000, maxRetries: 3 },
      http: { host: '127.0.0.1', port: 0 },
      shutdown: { timeoutMs: 15_000 },
    });
  });
});

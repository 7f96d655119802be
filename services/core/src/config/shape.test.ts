import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseServiceSchema } from './schemas.ts';
import { unknownKeys } from './shape.ts';

describe('unknownKeys (decided from the schema)', () => {
  it('lists dotted paths the schema has no key for, through defaults and prefaults', () => {
    const given = { lgo: { level: 'x' }, nats: { usr: 'a', url: 'nats://x' }, http: { port: 1 } };
    expect(unknownKeys(baseServiceSchema, given).sort()).toEqual(['lgo', 'nats.usr']);
  });

  it('returns nothing when every key is known, even with invalid values', () => {
    expect(unknownKeys(baseServiceSchema, { log: { level: 'loud' }, nats: { url: 42 } })).toEqual([]);
  });

  it('accepts any key under a record or a catchall object', () => {
    const schema = z.object({
      tags: z.record(z.string(), z.string()),
      extra: z.object({}).catchall(z.string()),
    });
    expect(unknownKeys(schema, { tags: { anything: 'x' }, extra: { whatever: 'y' }, nope: 1 })).toEqual([
      'nope',
    ]);
  });
});

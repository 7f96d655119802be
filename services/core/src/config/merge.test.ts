import { describe, expect, it } from 'vitest';
import { mergeLayers } from './merge.ts';

describe('mergeLayers', () => {
  it('deep-merges objects with later layers winning', () => {
    const merged = mergeLayers(
      { nats: { url: 'a', user: 'u' }, log: { level: 'info' } },
      { nats: { url: 'b' } },
      { log: { pretty: true } },
    );
    expect(merged).toEqual({ nats: { url: 'b', user: 'u' }, log: { level: 'info', pretty: true } });
  });

  it('replaces arrays and scalars instead of merging them', () => {
    expect(mergeLayers({ list: [1, 2, 3], x: { y: 1 } }, { list: [4], x: 'flat' })).toEqual({
      list: [4],
      x: 'flat',
    });
  });

  it('does not mutate its inputs', () => {
    const a = { nats: { url: 'a' } };
    mergeLayers(a, { nats: { url: 'b' } });
    expect(a).toEqual({ nats: { url: 'a' } });
  });
});

import { describe, expect, it } from 'vitest';
import { envKeyToPath, readEnv, setPath } from './env.ts';

describe('envKeyToPath', () => {
  it('maps a double underscore to nesting and a single one to camelCase', () => {
    expect(envKeyToPath('SOC_NATS__URL')).toBe('nats.url');
    expect(envKeyToPath('SOC_ELASTICSEARCH__REQUEST_TIMEOUT_MS')).toBe('elasticsearch.requestTimeoutMs');
    expect(envKeyToPath('SOC_NATS__CREDS_FILE')).toBe('nats.credsFile');
  });

  it('maps the well-known aliases', () => {
    expect(envKeyToPath('NATS_URL')).toBe('nats.url');
    expect(envKeyToPath('ELASTICSEARCH_URL')).toBe('elasticsearch.url');
    expect(envKeyToPath('LOG_LEVEL')).toBe('log.level');
  });

  it('ignores unrelated variables, SOC_CONFIG and a bare prefix', () => {
    expect(envKeyToPath('PATH')).toBeUndefined();
    expect(envKeyToPath('HOME')).toBeUndefined();
    expect(envKeyToPath('SOC_CONFIG')).toBeUndefined();
    expect(envKeyToPath('SOC_')).toBeUndefined();
  });
});

describe('setPath', () => {
  it('creates intermediate objects and replaces scalars in the way', () => {
    const target: Record<string, unknown> = { a: 'scalar' };
    setPath(target, 'a.b.c', 1);
    setPath(target, 'a.b.d', 2);
    expect(target).toEqual({ a: { b: { c: 1, d: 2 } } });
  });
});

describe('readEnv', () => {
  it('builds a nested object and remembers which variable set each key', () => {
    const { values, sources } = readEnv({
      SOC_NATS__URL: 'nats://a:4222',
      SOC_ELASTICSEARCH__REQUEST_TIMEOUT_MS: '500',
      PATH: '/usr/bin',
    });
    expect(values).toEqual({ nats: { url: 'nats://a:4222' }, elasticsearch: { requestTimeoutMs: '500' } });
    expect(sources.get('nats.url')).toBe('env SOC_NATS__URL');
    expect(sources.get('elasticsearch.requestTimeoutMs')).toBe('env SOC_ELASTICSEARCH__REQUEST_TIMEOUT_MS');
    expect(sources.size).toBe(2);
  });

  it('lets the prefixed variable beat the alias whatever the key order', () => {
    for (const env of [
      { NATS_URL: 'nats://alias:1', SOC_NATS__URL: 'nats://prefixed:2' },
      { SOC_NATS__URL: 'nats://prefixed:2', NATS_URL: 'nats://alias:1' },
    ]) {
      const { values, sources } = readEnv(env);
      expect(values).toEqual({ nats: { url: 'nats://prefixed:2' } });
      expect(sources.get('nats.url')).toBe('env SOC_NATS__URL');
    }
  });

  it('skips variables whose value is undefined', () => {
    const { values, sources } = readEnv({ NATS_URL: undefined });
    expect(values).toEqual({});
    expect(sources.size).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { REDACTED } from './redact.ts';

function capture(level?: string) {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'test-svc',
    ...(level ? { level } : {}),
    destination: {
      write(s: string) {
        lines.push(s);
      },
    },
  });
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, records };
}

describe('createLogger', () => {
  it('writes one JSON line per event with service, level label, time and message', () => {
    const { logger, lines, records } = capture();
    logger.info({ count: 3 }, 'hello');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    const [rec] = records();
    expect(rec).toMatchObject({
      service: 'test-svc',
      level: 'info',
      msg: 'hello',
      count: 3,
      pid: process.pid,
    });
    expect(typeof rec?.time).toBe('string');
    expect(Number.isNaN(Date.parse(rec?.time as string))).toBe(false);
  });

  it('drops events below the configured level', () => {
    const { logger, records } = capture('warn');
    logger.info('quiet');
    logger.debug('quieter');
    logger.warn('loud');
    expect(records().map((r) => r.msg)).toEqual(['loud']);
  });

  it('redacts top-level secrets and keeps ordinary fields', () => {
    const { logger, lines, records } = capture();
    logger.info(
      { password: 'pw-secret-1', token: 'tok-secret-2', apiKey: 'key-secret-3', user: 'alice', port: 4222 },
      'm',
    );
    const [rec] = records();
    expect(rec).toMatchObject({
      password: REDACTED,
      token: REDACTED,
      apiKey: REDACTED,
      user: 'alice',
      port: 4222,
    });
    for (const secret of ['pw-secret-1', 'tok-secret-2', 'key-secret-3'])
      expect(lines[0]).not.toContain(secret);
  });

  it('redacts nested secrets one and two levels down', () => {
    const { logger, lines, records } = capture();
    logger.info(
      {
        nats: { url: 'nats://127.0.0.1:4222', password: 'nats-secret', user: 'svc' },
        deep: { es: { apiKey: 'es-secret', url: 'http://es:9200' } },
      },
      'connecting',
    );
    const [rec] = records();
    expect(rec?.nats).toEqual({ url: 'nats://127.0.0.1:4222', password: REDACTED, user: 'svc' });
    expect(rec?.deep).toEqual({ es: { apiKey: REDACTED, url: 'http://es:9200' } });
    expect(lines[0]).not.toContain('nats-secret');
    expect(lines[0]).not.toContain('es-secret');
  });

  it('redacts request authorization and cookie headers but keeps the others', () => {
    const { logger, lines, records } = capture();
    logger.info(
      {
        req: {
          method: 'GET',
          url: '/alerts',
          headers: {
            authorization: 'Bearer hdr-secret',
            cookie: 'sid=cookie-secret',
            'user-agent': 'curl/8',
          },
        },
      },
      'request',
    );
    const [rec] = records();
    expect(rec?.req).toEqual({
      method: 'GET',
      url: '/alerts',
      headers: { authorization: REDACTED, cookie: REDACTED, 'user-agent': 'curl/8' },
    });
    expect(lines[0]).not.toContain('hdr-secret');
    expect(lines[0]).not.toContain('cookie-secret');
  });

  it('does not mutate the logged object', () => {
    const { logger } = capture();
    const obj = { password: 'keep-me', nats: { token: 'keep-me-too' } };
    logger.info(obj, 'm');
    expect(obj).toEqual({ password: 'keep-me', nats: { token: 'keep-me-too' } });
  });
});

import { describe, expect, it } from 'vitest';
import { REDACT_PATHS, REDACTED, redactUrl, SECRET_KEYS } from './redact.ts';

describe('REDACT_PATHS', () => {
  it('covers every secret key at the top level and one and two levels down', () => {
    for (const key of SECRET_KEYS) {
      expect(REDACT_PATHS).toContain(key);
      expect(REDACT_PATHS).toContain(`*.${key}`);
      expect(REDACT_PATHS).toContain(`*.*.${key}`);
    }
    expect(REDACT_PATHS).toContain('req.headers.authorization');
  });
});

describe('redactUrl', () => {
  it('hides the password of a URL with credentials', () => {
    const out = redactUrl('http://u:p@h:9200');
    expect(out).not.toMatch(/:p@/);
    expect(out).toContain('u:');
    expect(out).toContain('h:9200');
  });

  it('hides a realistic password and keeps user, host, port and path', () => {
    const out = redactUrl('https://elastic:S3cr3t-pw@es.local:9200/_cluster/health');
    expect(out).not.toContain('S3cr3t-pw');
    expect(out).toMatch(/^https:\/\/elastic:.+@es\.local:9200\/_cluster\/health$/);
  });

  it('hides the password of a nats:// URL', () => {
    const out = redactUrl('nats://svc:nats-pw@127.0.0.1:4222');
    expect(out).not.toContain('nats-pw');
    expect(out).toContain('127.0.0.1:4222');
  });

  it('hides the password of a string the URL parser rejects', () => {
    const out = redactUrl('//u:pw-secret@host:1');
    expect(out).not.toContain('pw-secret');
    expect(out).toBe(`//u:${REDACTED}@host:1`);
  });

  it('writes the marker as documented: user:[redacted]@host', () => {
    expect(redactUrl('http://u:p@h:9200/')).toBe(`http://u:${REDACTED}@h:9200/`);
  });

  it('leaves URLs without a password unchanged', () => {
    for (const url of [
      'http://h:9200',
      'http://h:9200/',
      'nats://127.0.0.1:4222',
      'http://user@h:9200/x',
      'not a url',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });
});

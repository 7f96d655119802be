/**
 * Keys whose values never reach a log line. pino's redaction matches exact paths, so each
 * sensitive name is listed at the top level, one level down, and under request headers.
 */
export const SECRET_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'authorization',
  'cookie',
  'credentials',
  'seed',
  'nkey',
  'privateKey',
  'private_key',
] as const;

export const REDACT_PATHS: string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

export const REDACTED = '[redacted]';

/** `http://user:pass@host` → `http://user:[redacted]@host`; any other URL is returned as it is. */
export function redactUrl(url: string): string {
  return url.replace(/^((?:[a-z][a-z0-9+.-]*:)?\/\/[^:/@\s]*):[^@/\s]*@/i, `$1:${REDACTED}@`);
}

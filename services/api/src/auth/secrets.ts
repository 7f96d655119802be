import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Opaque credentials (API keys, refresh tokens, enrollment tokens): `<prefix>_<id>_<secret>`
 * with 256 random bits of secret. Only SHA-256 of the secret is stored: with that much
 * entropy a fast hash is enough (no dictionary to try), and lookups stay cheap.
 */
export interface IssuedSecret {
  id: string;
  /** Shown once to the caller, never stored. */
  token: string;
  hash: string;
}

// Hex: no `_` to confuse with the token's separators, and safe in URLs and NATS subjects.
export const newId = (): string => randomBytes(8).toString('hex');

export function issueSecret(prefix: string, id = newId()): IssuedSecret {
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${prefix}_${id}_${secret}`, hash: sha256(secret) };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Splits a presented token; undefined when it is not of this prefix's shape. */
export function parseSecret(prefix: string, token: string): { id: string; secret: string } | undefined {
  const m = new RegExp(`^${prefix}_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$`).exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export function secretMatches(secret: string, hash: string): boolean {
  const a = Buffer.from(sha256(secret), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

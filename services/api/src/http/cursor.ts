import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from '@hono/zod-openapi';

/**
 * Pagination cursors are opaque to clients and signed (HMAC-SHA256), because they carry a
 * point-in-time id: a forged PIT id could name other indices than the one searched, and the
 * search would follow it. A cursor that does not verify is a 400, never a search.
 */
export interface Cursor {
  /** search_after values of the last hit. */
  after: (string | number | null)[];
  pit?: string;
}

export class CursorCodec {
  constructor(readonly key: string) {}

  encode(c: Cursor): string {
    const payload = Buffer.from(JSON.stringify(c)).toString('base64url');
    return `${payload}.${this.#mac(payload)}`;
  }

  decode(s: string): Cursor | undefined {
    const [payload, mac] = s.split('.');
    if (!payload || !mac) return undefined;
    const want = Buffer.from(this.#mac(payload));
    const got = Buffer.from(mac);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Cursor;
    } catch {
      return undefined;
    }
  }

  #mac(payload: string): string {
    return createHmac('sha256', `cursor:${this.key}`).update(payload).digest('base64url');
  }
}

export const cursorParam = z
  .string()
  .max(4000)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'a cursor returned by this API');

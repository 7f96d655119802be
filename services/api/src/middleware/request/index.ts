import { randomUUID } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createMiddleware } from 'hono/factory';
import type { ApiDeps, Env } from '../../http/env.ts';

/** Request id and client address, set before anything else so logs and audit can name them. */
export function requestContext(deps: ApiDeps) {
  return createMiddleware<Env>(async (c, next) => {
    c.set('deps', deps);
    c.set('audit', {});
    const rid = c.req.header('x-request-id');
    c.set('requestId', rid && /^[\w-]{1,64}$/.test(rid) ? rid : randomUUID());
    c.set('clientIp', clientIp(c, deps.trustProxy));
    await next();
    c.header('x-request-id', c.get('requestId'));
  });
}

function clientIp(
  c: Parameters<Parameters<typeof createMiddleware<Env>>[0]>[0],
  trustProxy: boolean,
): string {
  if (trustProxy) {
    const xff = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (xff) return xff.slice(0, 64);
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // Not served by @hono/node-server (tests calling app.request directly).
    return 'local';
  }
}

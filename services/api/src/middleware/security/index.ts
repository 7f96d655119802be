import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import { secureHeaders } from 'hono/secure-headers';
import type { ApiDeps, Env } from '../../http/env.ts';
import { ApiProblem } from '../../http/problem.ts';

/**
 * Headers for a JSON API: nothing may be framed, sniffed or loaded from the responses
 * (CSP `default-src 'none'`), no caching of authenticated answers. The docs page relaxes the
 * CSP for its own inline style only.
 */
export function securityHeaders() {
  const base = secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
    referrerPolicy: 'no-referrer',
    crossOriginResourcePolicy: 'same-origin',
  });
  return createMiddleware<Env>(async (c, next) => {
    await base(c, next);
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  });
}

/** CORS only for configured origins; with none configured no CORS header is ever sent. */
export function corsPolicy(deps: ApiDeps) {
  if (!deps.corsOrigins.length) return createMiddleware<Env>((_c, next) => next());
  return cors({
    origin: deps.corsOrigins,
    allowHeaders: ['authorization', 'content-type', 'x-request-id'],
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    maxAge: 600,
  });
}

/** Bodies above the limit are refused while streaming in, before they are buffered whole. */
export function sizeLimit(deps: ApiDeps) {
  return bodyLimit({
    maxSize: deps.bodyLimit,
    onError: () => {
      throw new ApiProblem('payload-too-large', `the limit is ${deps.bodyLimit} bytes`);
    },
  });
}

/** State-changing requests must say they send JSON: a form post from another site cannot. */
export function requireJson() {
  return createMiddleware<Env>(async (c, next) => {
    const m = c.req.method;
    if ((m === 'POST' || m === 'PUT' || m === 'PATCH') && c.req.header('content-length') !== '0') {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type) && c.req.raw.body !== null)
        throw new ApiProblem('unsupported-media-type', 'send application/json');
    }
    await next();
  });
}

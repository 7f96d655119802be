import { createMiddleware } from 'hono/factory';
import type { Env } from '../../http/env.ts';
import { ApiProblem } from '../../http/problem.ts';
import type { Principal } from '../../rbac/principal.ts';
import type { Permission } from '../../rbac/roles.ts';

/** `public`: no credentials; `authenticated`: any principal; else the permission needed. */
export type Access = Permission | 'public' | 'authenticated';

export type AuthorizeMiddleware = ReturnType<typeof createMiddleware<Env>> & { access: Access };

/**
 * The route's access rule, as middleware that also carries the rule (`.access`) so the route
 * table, the OpenAPI document and the authorisation matrix test read it from the route itself.
 */
export function requires(access: Access): AuthorizeMiddleware {
  const mw = createMiddleware<Env>(async (c, next) => {
    if (access !== 'public') {
      const p = c.get('principal');
      if (!p) throw new ApiProblem('unauthenticated');
      if (access !== 'authenticated' && !p.permissions.has(access))
        throw new ApiProblem('forbidden', `needs permission ${access}`);
    }
    await next();
  });
  return Object.assign(mw, { access });
}

/** The principal of a route behind `requires(...)` other than public. */
export function principalOf(c: { get(key: 'principal'): Principal | undefined }): Principal {
  const p = c.get('principal');
  if (!p) throw new ApiProblem('unauthenticated');
  return p;
}

import { OpenAPIHono, type RouteConfig, type RouteHandler } from '@hono/zod-openapi';
import type { Access, AuthorizeMiddleware } from '../middleware/authorize/index.ts';
import type { Env } from './env.ts';
import { ApiProblem, zodErrors } from './problem.ts';

/** One row of the route table: the source of the authorisation matrix test. */
export interface RouteInfo {
  method: string;
  /** OpenAPI-style path under /api/v1, e.g. `/alerts/{id}`. */
  path: string;
  operationId: string;
  access: Access;
}

export interface Router {
  app: OpenAPIHono<Env>;
  routes: RouteInfo[];
}

/**
 * Request validation failures become 400 problems naming each offending field (`body.status`,
 * `query.size`), from the same zod schemas the OpenAPI document is generated from.
 */
export function newRouter(): Router {
  const app = new OpenAPIHono<Env>({
    defaultHook: (result) => {
      if (!result.success)
        throw new ApiProblem('validation', undefined, zodErrors(result.target, result.error));
    },
  });
  return { app, routes: [] };
}

/**
 * Registers a route. Its first middleware must be `requires(...)`: a route without an access
 * rule does not register (the matrix test would not know what to expect of it).
 */
export function register<R extends RouteConfig & { operationId: string }>(
  router: Router,
  route: R,
  handler: RouteHandler<R, Env>,
): void {
  const mw = [route.middleware ?? []].flat()[0] as AuthorizeMiddleware | undefined;
  if (!mw?.access) throw new Error(`route ${route.method} ${route.path} has no requires(...) middleware`);
  router.routes.push({
    method: route.method.toUpperCase(),
    path: route.path,
    operationId: route.operationId,
    access: mw.access,
  });
  router.app.openapi(route, handler);
}

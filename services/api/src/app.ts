import { type Logger, PROBLEM_BASE, problem } from '@soc/core';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { docsPage } from './http/docs.ts';
import type { ApiDeps } from './http/env.ts';
import { ApiProblem, sendProblem } from './http/problem.ts';
import { newRouter, type RouteInfo } from './http/router.ts';
import { auditTrail } from './middleware/audit/index.ts';
import { authenticate } from './middleware/authenticate/index.ts';
import { requestContext } from './middleware/request/index.ts';
import { corsPolicy, requireJson, securityHeaders, sizeLimit } from './middleware/security/index.ts';
import { agentRoutes } from './resources/agents/routes.ts';
import { alertRoutes } from './resources/alerts/routes.ts';
import { apiKeyRoutes } from './resources/api-keys/routes.ts';
import { auditRoutes } from './resources/audit/routes.ts';
import { authRoutes } from './resources/auth/routes.ts';
import { eventRoutes } from './resources/events/routes.ts';
import { huntRoutes } from './resources/hunts/routes.ts';
import { organizationRoutes } from './resources/organizations/routes.ts';
import { ruleRoutes } from './resources/rules/routes.ts';
import { systemRoutes } from './resources/systems/routes.ts';
import { userRoutes } from './resources/users/routes.ts';

export interface ApiInfo {
  version: string;
  logger: Logger;
}

export const API_BASE = '/api/v1';

/** Errors from Elasticsearch carry the request (bodies, hashes) in `meta`: log only what identifies them. */
function logError(logger: Logger, err: unknown, path: string): void {
  const e = err as { name?: string; message?: string; meta?: { statusCode?: number }; stack?: string };
  if (e?.meta)
    logger.error(
      { err: { name: e.name, message: e.message, status: e.meta.statusCode }, path },
      'request failed',
    );
  else logger.error({ err, path }, 'request failed');
}

/**
 * The `/api/v1` application: middleware in the order a request meets it, every resource's
 * routes (each with its access rule), the OpenAPI document and the docs page. Returns the
 * route table with it, for the authorisation matrix test.
 */
export function createApi(deps: ApiDeps): { app: Hono; routes: RouteInfo[] } {
  const router = newRouter();
  const api = router.app;
  api.use(
    '*',
    requestContext(deps),
    securityHeaders(),
    corsPolicy(deps),
    // Outside authentication and validation, so refused and malformed requests are audited too.
    auditTrail(),
    sizeLimit(deps),
    requireJson(),
    authenticate(),
  );
  authRoutes(router);
  userRoutes(router);
  apiKeyRoutes(router);
  organizationRoutes(router);
  systemRoutes(router);
  agentRoutes(router);
  eventRoutes(router);
  alertRoutes(router);
  ruleRoutes(router);
  huntRoutes(router);
  auditRoutes(router);

  api.get('/', (c) =>
    c.json({
      name: 'soc-api',
      version: deps.version,
      openapi: `${API_BASE}/openapi.json`,
      docs: `${API_BASE}/docs`,
    }),
  );
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: '`ApiKey <key>`',
  });
  const docConfig = {
    openapi: '3.1.0',
    info: {
      title: 'SOC API',
      version: deps.version,
      description:
        'Provincial SOC backend: organisations, information systems, agents, events, alerts, rules, audit.',
    },
    servers: [{ url: API_BASE }],
    security: [{ bearer: [] }, { apiKey: [] }] as Record<string, string[]>[],
  };
  api.doc31('/openapi.json', docConfig);
  api.get('/docs', (c) => {
    c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
    return c.html(docsPage(api.getOpenAPI31Document(docConfig) as never));
  });

  api.onError((err, c) => {
    if (err instanceof ApiProblem) {
      const res = sendProblem(c, err.key, err.detail, err.errors);
      for (const [k, v] of Object.entries(err.headers ?? {})) res.headers.set(k, v);
      return res;
    }
    if (err instanceof HTTPException) {
      if (err.status === 400) return sendProblem(c, 'malformed-json', 'the body is not valid JSON');
      if (err.status === 413) return sendProblem(c, 'payload-too-large');
      return sendProblem(c, err.status === 401 ? 'unauthenticated' : 'validation', err.message);
    }
    const status = (err as { meta?: { statusCode?: number } }).meta?.statusCode;
    if (status === 409)
      return sendProblem(c, 'conflict', 'it was changed or created concurrently, or already exists');
    // Elasticsearch rejected the query (e.g. a sort or aggregation on a text field): the caller's input.
    if (status === 400) return sendProblem(c, 'validation', 'the search cannot be run on these fields');
    logError(deps.logger, err, c.req.path);
    // No stack traces to clients; the log has them.
    if (status === 503 || (err as { name?: string }).name === 'ConnectionError')
      return sendProblem(c, 'unavailable', 'Elasticsearch is not reachable');
    return problem(c, { type: `${PROBLEM_BASE}internal`, title: 'Internal error', status: 500 });
  });

  const app = new Hono();
  app.route(API_BASE, api);
  // The ops server answers unknown paths the same way; this covers the app served on its own.
  app.notFound((c) => sendProblem(c, 'not-found', `No route ${c.req.method} ${c.req.path}`));
  return { app, routes: router.routes };
}

import { type Logger, PROBLEM_BASE, problem } from '@soc/core';
import { Hono } from 'hono';

export interface ApiInfo {
  version: string;
  logger: Logger;
}

/**
 * The `/api/v1` surface. It starts with the service description; resources (organisations,
 * systems, events, alerts, rules, cases, reports) are added by the issues that bring them.
 * Unknown routes answer with the shared problem+json 404 of the ops server.
 */
export function apiApp(info: ApiInfo): Hono {
  const app = new Hono();
  app.get('/api/v1', (c) => c.json({ name: 'soc-api', version: info.version }));
  app.onError((err, c) => {
    // No stack traces to clients; the log has them.
    info.logger.error({ err, path: c.req.path }, 'request failed');
    return problem(c, { type: `${PROBLEM_BASE}internal`, title: 'Internal error', status: 500 });
  });
  return app;
}

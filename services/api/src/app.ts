import { Hono } from 'hono';
import { PROBLEM_BASE, problem } from './problem.ts';

export interface ApiInfo {
  version: string;
}

/**
 * The `/api/v1` surface. It starts with the service description; resources (organisations,
 * systems, events, alerts, rules, cases, reports) are added by the issues that bring them.
 */
export function apiApp(info: ApiInfo): Hono {
  const app = new Hono();
  app.get('/api/v1', (c) => c.json({ name: 'soc-api', version: info.version }));
  app.notFound((c) =>
    problem(c, { type: `${PROBLEM_BASE}not-found`, title: 'Not found', status: 404, detail: `No route ${c.req.method} ${c.req.path}` }),
  );
  app.onError((err, c) => {
    // No stack traces to clients; the log has them.
    console.error(err);
    return problem(c, { type: `${PROBLEM_BASE}internal`, title: 'Internal error', status: 500 });
  });
  return app;
}

import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { PROBLEM_BASE, problem } from './problem.ts';
import type { Readiness } from './readiness.ts';

export interface OpsServerOptions {
  host: string;
  port: number;
  metrics: Registry;
  readiness: Readiness;
  /** Liveness turns false once shutdown starts, so an orchestrator stops routing to us. */
  isLive?: () => boolean;
  /** The service's own routes, served on the same listener. */
  routes?: Hono | undefined;
}

export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

/** The operations endpoints every service exposes: `/healthz`, `/readyz`, `/metrics`. */
export function opsApp(options: Omit<OpsServerOptions, 'host' | 'port'>): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => {
    const live = options.isLive?.() ?? true;
    return c.json({ status: live ? 'ok' : 'stopping' }, live ? 200 : 503);
  });
  app.get('/readyz', async (c) => {
    const { ok, checks } = await options.readiness.evaluate();
    return c.json({ status: ok ? 'ready' : 'not ready', checks }, ok ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    c.header('content-type', options.metrics.contentType);
    return c.body(await options.metrics.metrics());
  });
  if (options.routes) app.route('/', options.routes);
  app.notFound((c) =>
    problem(c, {
      type: `${PROBLEM_BASE}not-found`,
      title: 'Not found',
      status: 404,
      detail: `No route ${c.req.method} ${c.req.path}`,
    }),
  );
  return app;
}

export function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const app = opsApp(options);
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: options.host, port: options.port },
      (info: AddressInfo) => {
        resolve({
          url: `http://${options.host}:${info.port}`,
          close: () => new Promise<void>((done) => server.close(() => done())),
        });
      },
    );
    server.once('error', reject);
  });
}

import { needsStack, stack, stackUrls } from '@soc/test-support';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { baseServiceSchema } from './config/schemas.ts';
import { runService } from './service.ts';

describe.skipIf(!stackUrls)(`runService against the real stack${needsStack}`, () => {
  it('is ready when NATS and Elasticsearch answer, serves its routes, and shuts down cleanly', async () => {
    const svc = await runService({
      name: 'int-test',
      schema: baseServiceSchema,
      config: {
        env: {
          NATS_URL: stack().natsUrl,
          ELASTICSEARCH_URL: stack().elasticsearchUrl,
          SOC_LOG__LEVEL: 'silent',
        },
      },
      async start(ctx) {
        await ctx.nats();
        ctx.elasticsearch();
      },
      routes: () => new Hono().get('/hello', (c) => c.text('hi')),
    });
    const ready = await fetch(`${svc.server.url}/readyz`);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(ready.status).toBe(200);
    expect(body.checks.nats?.ok).toBe(true);
    expect(body.checks.elasticsearch?.ok).toBe(true);
    expect(await (await fetch(`${svc.server.url}/hello`)).text()).toBe('hi');
    expect(await (await fetch(`${svc.server.url}/metrics`)).text()).toContain('service="int-test"');

    await svc.shutdown.run('test');
    await expect(fetch(`${svc.server.url}/healthz`)).rejects.toThrow();
  });

  it('reports not ready, naming the dependency, when Elasticsearch does not answer', async () => {
    const svc = await runService({
      name: 'int-test-down',
      schema: baseServiceSchema,
      // Port 1 on loopback: nothing listens there, so the connection is refused at once.
      config: {
        env: {
          NATS_URL: stack().natsUrl,
          ELASTICSEARCH_URL: 'http://127.0.0.1:1',
          SOC_LOG__LEVEL: 'silent',
          SOC_ELASTICSEARCH__MAX_RETRIES: '0',
        },
      },
      async start(ctx) {
        await ctx.nats();
        ctx.elasticsearch();
      },
    });
    const ready = await fetch(`${svc.server.url}/readyz`);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean; detail?: string }> };
    expect(ready.status).toBe(503);
    expect(body.checks.nats?.ok).toBe(true);
    expect(body.checks.elasticsearch?.ok).toBe(false);
    expect(body.checks.elasticsearch?.detail).toMatch(/ECONNREFUSED|connect|ConnectionError/i);
    await svc.shutdown.run('test');
  });
});

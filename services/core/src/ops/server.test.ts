import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetricsRegistry } from './metrics.ts';
import { Readiness } from './readiness.ts';
import { opsApp } from './server.ts';

function app(opts: { readiness?: Readiness; isLive?: () => boolean; routes?: Hono } = {}) {
  return opsApp({
    metrics: createMetricsRegistry('ops-test'),
    readiness: opts.readiness ?? new Readiness(),
    ...(opts.isLive ? { isLive: opts.isLive } : {}),
    routes: opts.routes,
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('opsApp /healthz', () => {
  it('answers 200 ok while live', async () => {
    const res = await app().request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers 503 stopping once isLive turns false', async () => {
    let live = true;
    const a = app({ isLive: () => live });
    expect((await a.request('/healthz')).status).toBe(200);
    live = false;
    const res = await a.request('/healthz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'stopping' });
  });
});

describe('opsApp /readyz', () => {
  it('answers 200 when every check passes', async () => {
    const readiness = new Readiness();
    readiness.add('nats', async () => ({ ok: true }));
    readiness.add('elasticsearch', async () => ({ ok: true }));
    const res = await app({ readiness }).request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ready',
      checks: { nats: { ok: true }, elasticsearch: { ok: true } },
    });
  });

  it("answers 503 with the failing check's detail", async () => {
    const readiness = new Readiness();
    readiness.add('nats', async () => ({ ok: true }));
    readiness.add('elasticsearch', async () => ({ ok: false, detail: 'cluster red' }));
    const res = await app({ readiness }).request('/readyz');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; checks: Record<string, unknown> };
    expect(body.status).toBe('not ready');
    expect(body.checks.elasticsearch).toEqual({ ok: false, detail: 'cluster red' });
    expect(body.checks.nats).toEqual({ ok: true });
  });

  it('answers 503 with the error message when a check throws', async () => {
    const readiness = new Readiness();
    readiness.add('nats', async () => {
      throw new Error('connection refused');
    });
    const res = await app({ readiness }).request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'not ready',
      checks: { nats: { ok: false, detail: 'connection refused' } },
    });
  });

  it('answers 503 when a check hangs past the readiness timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const readiness = new Readiness();
    readiness.add('hung', () => new Promise(() => {}));
    let settled = false;
    const pending = Promise.resolve(app({ readiness }).request('/readyz')).finally(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1_500);
    const res = await pending;
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: Record<string, { ok: boolean; detail?: string }> };
    expect(body.checks.hung?.ok).toBe(false);
    expect(body.checks.hung?.detail).toMatch(/no answer within \d+ ms/);
  });
});

describe('opsApp /metrics', () => {
  it('serves Prometheus text with process metrics and the service label', async () => {
    const res = await app().request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="ops-test"\} [\d.e+-]+$/m);
  });
});

describe('opsApp routes', () => {
  it('serves the mounted routes next to the ops endpoints', async () => {
    const routes = new Hono();
    routes.get('/api/ping', (c) => c.json({ pong: true }));
    routes.post('/api/echo', async (c) => c.json(await c.req.json()));
    const a = app({ routes });
    const ping = await a.request('/api/ping');
    expect(ping.status).toBe(200);
    expect(await ping.json()).toEqual({ pong: true });
    const echo = await a.request('/api/echo', {
      method: 'POST',
      body: JSON.stringify({ x: 1 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(await echo.json()).toEqual({ x: 1 });
    expect((await a.request('/healthz')).status).toBe(200);
  });

  it('answers 404 for unknown paths', async () => {
    expect((await app().request('/nope')).status).toBe(404);
  });
});

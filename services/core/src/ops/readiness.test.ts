import { describe, expect, it } from 'vitest';
import { Readiness } from './readiness.ts';

describe('Readiness.evaluate', () => {
  it('is ready with no checks', async () => {
    expect(await new Readiness().evaluate(50)).toEqual({ ok: true, checks: {} });
  });

  it('is ready when every check passes', async () => {
    const r = new Readiness();
    r.add('nats', async () => ({ ok: true }));
    r.add('elasticsearch', async () => ({ ok: true, detail: 'green' }));
    expect(await r.evaluate(50)).toEqual({
      ok: true,
      checks: { nats: { ok: true }, elasticsearch: { ok: true, detail: 'green' } },
    });
  });

  it('is not ready when a check fails, and reports its detail', async () => {
    const r = new Readiness();
    r.add('nats', async () => ({ ok: true }));
    r.add('elasticsearch', async () => ({ ok: false, detail: 'cluster red' }));
    const { ok, checks } = await r.evaluate(50);
    expect(ok).toBe(false);
    expect(checks.elasticsearch).toEqual({ ok: false, detail: 'cluster red' });
    expect(checks.nats).toEqual({ ok: true });
  });

  it('turns a rejected check into a failure carrying the error message', async () => {
    const r = new Readiness();
    r.add('nats', async () => {
      throw new Error('connection refused');
    });
    expect(await r.evaluate(50)).toEqual({
      ok: false,
      checks: { nats: { ok: false, detail: 'connection refused' } },
    });
  });

  it('reports a hung check as failed once the timeout passes', async () => {
    const r = new Readiness();
    r.add('hung', () => new Promise(() => {}));
    r.add('fine', async () => ({ ok: true }));
    const t0 = performance.now();
    const { ok, checks } = await r.evaluate(50);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(ok).toBe(false);
    expect(checks.hung).toEqual({ ok: false, detail: 'no answer within 50 ms' });
    expect(checks.fine).toEqual({ ok: true });
  });

  it('replaces a check added twice under the same name', async () => {
    const r = new Readiness();
    r.add('nats', async () => ({ ok: false }));
    r.add('nats', async () => ({ ok: true }));
    expect((await r.evaluate(50)).ok).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/logger.ts';
import { Shutdown } from './shutdown.ts';

const logger = createLogger({ service: 't', level: 'silent' });

describe('Shutdown', () => {
  it('runs hooks last-registered-first', async () => {
    const order: string[] = [];
    const shutdown = new Shutdown(logger, 1_000);
    shutdown.add('connection', () => void order.push('connection'));
    shutdown.add('consumer', async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push('consumer');
    });
    shutdown.add('http', () => void order.push('http'));
    await shutdown.run('test');
    expect(order).toEqual(['http', 'consumer', 'connection']);
  });

  it('keeps running later hooks after one throws or rejects', async () => {
    const ran: string[] = [];
    const shutdown = new Shutdown(logger, 1_000);
    shutdown.add('first', () => void ran.push('first'));
    shutdown.add('rejects', async () => {
      ran.push('rejects');
      throw new Error('async boom');
    });
    shutdown.add('throws', () => {
      ran.push('throws');
      throw new Error('sync boom');
    });
    await expect(shutdown.run('test')).resolves.toBeUndefined();
    expect(ran).toEqual(['throws', 'rejects', 'first']);
  });

  it('runs the hooks once however often run() is called', async () => {
    let calls = 0;
    const shutdown = new Shutdown(logger, 1_000);
    shutdown.add('count', async () => {
      await new Promise((r) => setTimeout(r, 5));
      calls++;
    });
    const a = shutdown.run('first');
    const b = shutdown.run('second');
    expect(b).toBe(a);
    await Promise.all([a, b]);
    await shutdown.run('third');
    expect(calls).toBe(1);
  });

  it('gives up on a hook that never resolves once the timeout passes', async () => {
    const ran: string[] = [];
    const shutdown = new Shutdown(logger, 100);
    shutdown.add('after-stuck', () => void ran.push('after-stuck'));
    shutdown.add('stuck', () => new Promise<void>(() => {}));
    shutdown.add('before-stuck', () => void ran.push('before-stuck'));
    const t0 = performance.now();
    await shutdown.run('test');
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(1_000);
    expect(ran).toEqual(['before-stuck']);
  });

  it('aborts its signal as soon as shutdown begins, before the hooks finish', async () => {
    const shutdown = new Shutdown(logger, 1_000);
    expect(shutdown.signal.aborted).toBe(false);
    let abortedInHook: boolean | undefined;
    shutdown.add('check', () => {
      abortedInHook = shutdown.signal.aborted;
    });
    const done = shutdown.run('SIGTERM');
    expect(shutdown.signal.aborted).toBe(true);
    expect(shutdown.signal.reason).toBe('SIGTERM');
    await done;
    expect(abortedInHook).toBe(true);
  });
});

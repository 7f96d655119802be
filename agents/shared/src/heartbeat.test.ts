import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskBuffer } from './buffer/disk-buffer.ts';
import { heartbeatBody, heartbeatSchema } from './heartbeat.ts';
import { InputCounters } from './output/stats.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('heartbeatBody', () => {
  it('reports per input read/sent/buffered/dropped, buffer bytes, lag and uptime', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-hb-'));
    dirs.push(dir);
    const buffer = await DiskBuffer.open({
      dir,
      maxBytes: 8192,
      segmentBytes: 4096,
      fsync: 'never',
      fsyncIntervalMs: 10,
      whenFull: 'drop_oldest',
      stateIntervalMs: 60_000,
    });
    // 60 records of ~130 bytes into 8 kB: the oldest are dropped, never read.
    for (let seq = 1; seq <= 60; seq++)
      await buffer.append([
        { seq, subject: 'telemetry.a.app', input: 'app', time: 0, payload: Buffer.alloc(100) },
      ]);
    const counters = new InputCounters();
    counters.add(counters.read, 'app', 60);
    const body = heartbeatBody(
      {
        agentId: 'a',
        version: '0.1.0',
        hostName: 'h',
        startedAt: new Date('2026-01-01T00:00:00Z'),
        inputs: () => ['app', 'idle'],
        counters,
        buffer,
        maxBytes: 8192,
        lagMs: () => 1500,
        connected: () => false,
        inputStats: () => ({ idle: { garbage: 3, oversize: 1 } }),
      },
      new Date('2026-01-01T00:01:00Z'),
    );
    const app = body.inputs.app!;
    expect(app.read).toBe(60);
    expect(app.dropped).toBeGreaterThan(0);
    expect(app.buffered + app.dropped).toBe(60);
    // an input's own counters (a syslog listener's flagged messages) ride along
    expect(body.inputs.idle).toEqual({
      read: 0,
      sent: 0,
      buffered: 0,
      dropped: 0,
      duplicates: 0,
      stats: { garbage: 3, oversize: 1 },
    });
    expect(app.stats).toBeUndefined();
    expect(body).toMatchObject({ agent: 'a', uptimeS: 60, lagMs: 1500, nats: { connected: false } });
    expect(body.buffer.bytes).toBeLessThanOrEqual(8192);
    await buffer.close();
  });

  it('says which inputs run and why one is disabled; without states, says nothing of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-hb-'));
    dirs.push(dir);
    const buffer = await DiskBuffer.open({
      dir,
      maxBytes: 8192,
      segmentBytes: 4096,
      fsync: 'never',
      fsyncIntervalMs: 10,
      whenFull: 'drop_oldest',
      stateIntervalMs: 60_000,
    });
    const counters = new InputCounters();
    counters.add(counters.read, 'app', 2);
    const source = {
      agentId: 'a',
      version: '0.1.0',
      hostName: 'h',
      startedAt: new Date('2026-01-01T00:00:00Z'),
      inputs: () => ['app', 'journal'],
      counters,
      buffer,
      maxBytes: 8192,
      lagMs: () => 0,
      connected: () => true,
    };
    const reason = 'no journal on this host: journald is not running';
    const body = heartbeatBody({
      ...source,
      inputStates: () => ({
        app: { state: 'running' },
        journal: { state: 'disabled', reason },
        // an input the states know of before the config's list: reported all the same
        late: { state: 'running' },
      }),
    });
    expect(body.inputs.journal).toEqual({
      state: 'disabled',
      reason,
      read: 0,
      sent: 0,
      buffered: 0,
      dropped: 0,
      duplicates: 0,
    });
    // a running input carries no reason key at all (the API keeps the body as it is)
    expect(body.inputs.app).toEqual({
      state: 'running',
      read: 2,
      sent: 0,
      buffered: 0,
      dropped: 0,
      duplicates: 0,
    });
    expect(Object.keys(body.inputs).sort()).toEqual(['app', 'journal', 'late']);
    // what goes over the wire: JSON that keeps both
    expect(JSON.parse(JSON.stringify(body)).inputs.journal).toMatchObject({ state: 'disabled', reason });

    // what the API checks a beat against accepts what the agent sends, as it is
    const wire = JSON.parse(JSON.stringify(body));
    expect(heartbeatSchema.parse(wire)).toEqual(wire);
    const broken = (journal: object) => ({
      ...wire,
      inputs: { journal: { ...wire.inputs.journal, ...journal } },
    });
    expect(heartbeatSchema.safeParse(broken({ state: 'stopped' })).success).toBe(false);
    expect(heartbeatSchema.safeParse(broken({ reason: 42 })).success).toBe(false);
    expect(heartbeatSchema.safeParse(broken({ read: -1 })).success).toBe(false);
    // a reason too long for the API is cut by the agent, not a beat the API would refuse
    const long = heartbeatBody({
      ...source,
      inputStates: () => ({ journal: { state: 'disabled', reason: 'x'.repeat(5000) } }),
    });
    expect(long.inputs.journal!.reason).toHaveLength(1000);
    expect(heartbeatSchema.safeParse(JSON.parse(JSON.stringify(long))).success).toBe(true);

    // An agent that does not report states (the network agent) sends no state keys.
    const plain = heartbeatBody(source);
    expect(plain.inputs.journal).not.toHaveProperty('state');
    expect(plain.inputs.app).not.toHaveProperty('reason');
    await buffer.close();
  });
});

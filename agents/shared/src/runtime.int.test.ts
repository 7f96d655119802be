import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countFor, ensureTelemetry, readAgent } from '../test/stream.ts';
import { agentBaseSchema } from './config.ts';
import { startRuntime } from './runtime.ts';
import { heartbeatSubject } from './subjects.ts';

const natsUrl = process.env.NATS_URL;
const skip = natsUrl ? '' : ' [skipped: needs NATS_URL (npm test, or soc stack up)]';

describe.skipIf(!natsUrl)(`agent runtime on the real NATS${skip}`, () => {
  let nc: NatsConnection;
  const dir = mkdtempSync(join(tmpdir(), 'soc-rt-'));
  const agentId = `rt-${process.pid}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    nc = await connect({ servers: natsUrl! });
    await ensureTelemetry(nc);
  });
  afterAll(async () => {
    await nc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes every event once with its message id, and heartbeats with per-input counts', async () => {
    const config = agentBaseSchema.parse({
      agent: { id: agentId, dataDir: dir },
      nats: { url: natsUrl },
      heartbeat: { intervalS: 0.2 },
    });
    const beats: Array<Record<string, unknown>> = [];
    const sub = nc.subscribe(heartbeatSubject(agentId), {
      callback: (_e, m) => {
        beats.push(m.json());
      },
    });
    const rt = await startRuntime(config, {
      version: 'test',
      logger: pino({ level: 'silent' }),
      inputs: () => ['a', 'b'],
    });
    for (let i = 0; i < 500; i++) await rt.output.write(i % 2 ? 'a' : 'b', { line: `line ${i}` });
    await rt.connected;
    const deadline = Date.now() + 10_000;
    while ((rt.counters.sent.get('a') ?? 0) + (rt.counters.sent.get('b') ?? 0) < 500 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    await rt.close();
    sub.unsubscribe();

    expect(await countFor(nc, agentId)).toBe(500);
    const got = await readAgent(nc, agentId);
    expect(got.map((g) => g.msg.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    for (const g of got) expect(g.msgId).toBe(g.msg.id);
    expect(got.filter((g) => g.msg.input === 'a').length).toBe(250);

    const last = beats.at(-1) as { inputs: Record<string, { read: number; sent: number; buffered: number }> };
    expect(beats.length).toBeGreaterThan(0);
    expect(last.inputs.a).toMatchObject({ read: 250, sent: 250, buffered: 0 });
  });

  /** An agent whose interval is an hour, and its heartbeats as they arrive: a beat seen is one the state made. */
  async function hourlyBeats(name: string) {
    const id = `${agentId}-${name}`;
    const config = agentBaseSchema.parse({
      agent: { id, dataDir: join(dir, name) },
      nats: { url: natsUrl },
      heartbeat: { intervalS: 3600 },
    });
    const beats: Array<{ inputs: Record<string, { state?: string; reason?: string }> }> = [];
    const sub = nc.subscribe(heartbeatSubject(id), { callback: (_e, m) => void beats.push(m.json()) });
    await nc.flush();
    return { config, beats, sub };
  }

  it('beats as soon as it connects, with input states, not an interval later', async () => {
    const { config, beats, sub } = await hourlyBeats('first');
    const rt = await startRuntime(config, {
      version: 'test',
      logger: pino({ level: 'silent' }),
      inputs: () => ['journal'],
      inputStates: () => ({ journal: { state: 'disabled', reason: 'no journal on this host' } }),
    });
    try {
      await rt.connected;
      for (let i = 0; i < 100 && beats.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await rt.close();
      sub.unsubscribe();
    }
    expect(beats.length).toBe(1);
    expect(beats[0]!.inputs.journal).toMatchObject({ state: 'disabled', reason: 'no journal on this host' });
  });

  it('beats again as soon as an input changes state, not an interval later', async () => {
    const { config, beats, sub } = await hourlyBeats('change');
    let journal: { state: 'running' | 'disabled'; reason?: string } = { state: 'running' };
    const rt = await startRuntime(config, {
      version: 'test',
      logger: pino({ level: 'silent' }),
      inputs: () => ['journal'],
      inputStates: () => ({ journal }),
    });
    try {
      await rt.connected;
      for (let i = 0; i < 100 && beats.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(beats.map((b) => b.inputs.journal?.state)).toEqual(['running']);
      // The input finds it cannot run: within the state check (1 s), not the hour's interval.
      journal = { state: 'disabled', reason: 'no journal on this host' };
      for (let i = 0; i < 150 && beats.length === 1; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await rt.close();
      sub.unsubscribe();
    }
    expect(beats).toHaveLength(2);
    expect(beats[1]!.inputs.journal).toMatchObject({ state: 'disabled', reason: 'no journal on this host' });
  });
});

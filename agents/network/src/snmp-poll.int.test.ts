import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { get, normalize } from '@soc/normalize';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countFor, ensureTelemetry, readAgent } from '../../shared/test/stream.ts';
import { type NetworkAgent, startNetworkAgent } from './agent.ts';
import { networkConfigSchema } from './config.ts';
import type { SnmpPoller } from './snmp/poller.ts';

const natsUrl = process.env.NATS_URL;
const hasSnmpd = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v snmpd || test -x /usr/sbin/snmpd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const reason = !natsUrl
  ? ' [skipped: needs NATS_URL (npm test, or soc stack up)]'
  : !hasSnmpd
    ? ' [skipped: needs snmpd (Debian package snmpd: apt-get install snmpd)]'
    : '';

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface PollEvent {
  status?: string;
  device?: { name?: string; ip?: string };
  sysUpTime?: number;
  interfaces?: Array<{ index: number; operStatus: string }>;
}

describe.skipIf(reason !== '')(`network agent: polling a real snmpd${reason}`, () => {
  let nc: NatsConnection;
  let agent: NetworkAgent;
  let snmpd: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'soc-snmpd-'));
  const agentId = `poll-${process.pid}-${Date.now().toString(36)}`;
  let port = 0;

  async function startSnmpd(): Promise<void> {
    writeFileSync(
      join(dir, 'snmpd.conf'),
      `agentAddress udp:127.0.0.1:${port}\nrocommunity soc-ro 127.0.0.1\n`,
    );
    const bin = hasSnmpd ? 'snmpd' : '/usr/sbin/snmpd';
    // -f: stay in the foreground (this test owns the process); -C -c: only this configuration.
    snmpd = spawn(
      bin,
      ['-f', '-Lo', '-C', '-c', join(dir, 'snmpd.conf'), '-M', '/dev/null', '-p', join(dir, 'pid')],
      {
        stdio: 'ignore',
        env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin` },
      },
    );
    // Ready when it answers: the poll below is the real check, this only waits for the bind.
    for (let i = 0; i < 50; i++) {
      try {
        execFileSync(
          'snmpget',
          [
            '-M',
            '/dev/null',
            '-v2c',
            '-c',
            'soc-ro',
            '-t',
            '0.2',
            '-r',
            '0',
            `127.0.0.1:${port}`,
            '1.3.6.1.2.1.1.3.0',
          ],
          {
            stdio: 'ignore',
          },
        );
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error('snmpd did not start');
  }

  beforeAll(async () => {
    nc = await connect({ servers: natsUrl! });
    await ensureTelemetry(nc);
    port = await freeUdpPort();
    await startSnmpd();
    const config = networkConfigSchema.parse({
      agent: { id: agentId, dataDir: join(dir, 'data') },
      nats: { url: natsUrl },
      inputs: [
        {
          name: 'poll',
          type: 'snmp-poll',
          // Long enough never to fire during the test: it drives pollOnce() itself.
          intervalS: 3600,
          timeoutMs: 300,
          retries: 0,
          devices: [{ name: 'sw-core', host: '127.0.0.1', port, community: 'soc-ro' }],
        },
      ],
    });
    agent = await startNetworkAgent(config, pino({ level: 'silent' }));
  });

  afterAll(async () => {
    snmpd?.kill('SIGTERM');
    await agent?.stop();
    await nc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('up with sysUpTime and interfaces, silent while steady, down when snmpd stops, up when it is back', async () => {
    const poller = agent.listeners[0] as SnmpPoller;
    await poller.pollOnce(); // the start's own round may still run: this waits for it
    await poller.pollOnce(); // steady: nothing new
    const stopped = new Promise((r) => snmpd!.once('exit', r));
    snmpd!.kill('SIGTERM');
    await stopped;
    await poller.pollOnce();
    await poller.pollOnce(); // still down: nothing new
    await startSnmpd();
    await poller.pollOnce();

    const expected = 3;
    const deadline = Date.now() + 15_000;
    while ((await countFor(nc, agentId)) < expected && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const got = (await readAgent(nc, agentId)).map((g) => g.msg);
    const ev = got.map((m) => m.event as PollEvent);
    expect(ev.map((e) => e.status)).toEqual(['up', 'down', 'up']);
    expect(ev[0]!.device).toEqual({ name: 'sw-core', ip: '127.0.0.1' });
    expect(ev[0]!.sysUpTime).toBeGreaterThanOrEqual(0);
    // The loopback is always there and up.
    expect(ev[0]!.interfaces!.length).toBeGreaterThan(0);
    expect(ev[0]!.interfaces!.some((i) => i.operStatus === 'up')).toBe(true);
    expect(ev[1]!.sysUpTime).toBeUndefined();
    expect(poller.stats.failures).toBe(2);

    const down = normalize(JSON.stringify(got[1]));
    expect(down.ok && down.source).toBe('snmp');
    if (down.ok) {
      expect(get(down.doc, 'event.action')).toBe('device-down');
      expect(get(down.doc, 'host.name')).toBe('sw-core');
    }
  });
});

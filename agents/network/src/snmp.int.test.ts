import { execFile, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { get, normalize } from '@soc/normalize';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countFor, ensureTelemetry, readAgent } from '../../shared/test/stream.ts';
import { type NetworkAgent, startNetworkAgent } from './agent.ts';
import { networkConfigSchema } from './config.ts';
import type { TrapReceiver } from './snmp/receiver.ts';

const run = promisify(execFile);

interface TrapEvent {
  version?: string;
  trap?: { name?: string };
  inform?: boolean;
  uptime?: unknown;
  varbinds?: unknown[];
}
const natsUrl = process.env.NATS_URL;
const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const reason = !natsUrl
  ? ' [skipped: needs NATS_URL (npm test, or soc stack up)]'
  : !has('snmptrap') || !has('snmpinform')
    ? ' [skipped: needs snmptrap/snmpinform (Debian package snmp: apt-get install snmp)]'
    : '';

/** net-snmp cannot bind port 0: ask the kernel for a free UDP port, then hand it over. */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.skipIf(reason !== '')(`network agent: SNMP traps and informs from snmptrap${reason}`, () => {
  let nc: NatsConnection;
  let agent: NetworkAgent;
  let port = 0;
  const dir = mkdtempSync(join(tmpdir(), 'soc-snmp-'));
  const agentId = `snmp-${process.pid}-${Date.now().toString(36)}`;
  beforeAll(async () => {
    nc = await connect({ servers: natsUrl! });
    await ensureTelemetry(nc);
    port = await freeUdpPort();
    const config = networkConfigSchema.parse({
      agent: { id: agentId, dataDir: join(dir, 'data') },
      nats: { url: natsUrl },
      inputs: [
        {
          name: 'traps',
          type: 'snmp-trap',
          host: '127.0.0.1',
          port,
          communities: ['soc-public'],
          users: [
            {
              name: 'trapuser',
              level: 'authPriv',
              authProtocol: 'sha',
              authKey: 'auth-secret-1',
              privProtocol: 'aes',
              privKey: 'priv-secret-1',
            },
          ],
        },
      ],
    });
    agent = await startNetworkAgent(config, pino({ level: 'silent' }));
  });

  afterAll(async () => {
    await agent?.stop();
    await nc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('v1, v2c and v3 traps and a v2c inform: named, shipped once, without credentials; bad community counted', async () => {
    const host = `127.0.0.1:${port}`;
    // Async: the receiver runs in this process and must answer informs while the sender waits.
    // No MIB files are needed (numeric OIDs); -M /dev/null keeps net-snmp from looking for them.
    const sh = (args: string[]) => run(args[0]!, ['-M', '/dev/null', ...args.slice(1)]);
    // v1 linkUp (generic 3) from enterprise net-snmp, ifIndex 2.
    await sh([
      'snmptrap',
      '-v',
      '1',
      '-c',
      'soc-public',
      host,
      '1.3.6.1.4.1.8072',
      '127.0.0.1',
      '3',
      '0',
      '',
      '1.3.6.1.2.1.2.2.1.1.2',
      'i',
      '2',
    ]);
    // v2c linkDown with ifIndex and ifOperStatus down.
    await sh([
      'snmptrap',
      '-v',
      '2c',
      '-c',
      'soc-public',
      host,
      '',
      '1.3.6.1.6.3.1.1.5.3',
      '1.3.6.1.2.1.2.2.1.1.3',
      'i',
      '3',
      '1.3.6.1.2.1.2.2.1.8.3',
      'i',
      '2',
      '1.3.6.1.2.1.2.2.1.2.3',
      's',
      'GigabitEthernet0/3',
    ]);
    // v2c inform coldStart: snmpinform exits 0 only when the receiver acknowledged it.
    await sh([
      'snmpinform',
      '-v',
      '2c',
      '-c',
      'soc-public',
      '-r',
      '1',
      '-t',
      '3',
      host,
      '',
      '1.3.6.1.6.3.1.1.5.1',
    ]);
    // v3 authPriv authenticationFailure (SHA + AES), from the sender's own engine id.
    await sh([
      'snmptrap',
      '-v',
      '3',
      '-e',
      '0x8000000001020304',
      '-u',
      'trapuser',
      '-l',
      'authPriv',
      '-a',
      'SHA',
      '-A',
      'auth-secret-1',
      '-x',
      'AES',
      '-X',
      'priv-secret-1',
      host,
      '',
      '1.3.6.1.6.3.1.1.5.5',
    ]);
    // A trap with a community the receiver does not know: counted, not shipped.
    await sh(['snmptrap', '-v', '2c', '-c', 'wrong-community', host, '', '1.3.6.1.6.3.1.1.5.2']);
    // Garbage on the trap port: counted, the receiver stays up.
    const junk = createSocket('udp4');
    await new Promise<void>((r, j) =>
      junk.send(Buffer.from('not snmp at all'), port, '127.0.0.1', (e) => (e ? j(e) : r())),
    );
    junk.close();
    // Still receiving after both.
    await sh(['snmptrap', '-v', '2c', '-c', 'soc-public', host, '', '1.3.6.1.6.3.1.1.5.2']);

    const expected = 5;
    const deadline = Date.now() + 20_000;
    while ((await countFor(nc, agentId)) < expected && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const got = (await readAgent(nc, agentId)).map((g) => g.msg);
    expect(got).toHaveLength(expected);
    const ev = got.map((m) => m.event as TrapEvent);
    expect(ev.map((e) => [e.version, e.trap?.name, e.inform === true])).toEqual([
      ['1', 'linkUp', false],
      ['2c', 'linkDown', false],
      ['2c', 'coldStart', true],
      ['3', 'authenticationFailure', false],
      ['2c', 'warmStart', false],
    ]);
    expect(ev[0]).toMatchObject({
      type: 'snmp.trap',
      enterprise: '1.3.6.1.4.1.8072',
      source: { ip: '127.0.0.1' },
    });
    expect(ev[0]!.varbinds).toContainEqual({
      oid: '1.3.6.1.2.1.2.2.1.1.2',
      name: 'ifIndex.2',
      type: 'Integer',
      value: 2,
    });
    expect(ev[1]!.varbinds).toContainEqual({
      oid: '1.3.6.1.2.1.2.2.1.8.3',
      name: 'ifOperStatus.3',
      type: 'Integer',
      value: 2,
    });
    expect(ev[1]!.varbinds).toContainEqual(
      expect.objectContaining({ name: 'ifDescr.3', value: 'GigabitEthernet0/3' }),
    );
    expect(typeof ev[1]!.uptime).toBe('number');
    for (const m of got) {
      expect(m.input).toBe('traps');
      expect(m.source).toMatchObject({ address: '127.0.0.1', transport: 'udp' });
      // Credentials never travel.
      expect(JSON.stringify(m)).not.toMatch(/soc-public|auth-secret|priv-secret|trapuser/);
    }
    const stats = (agent.listeners[0] as TrapReceiver).stats;
    expect(stats.received).toBe(expected);
    expect(stats.rejected).toBeGreaterThanOrEqual(2);

    // The normaliser reads the shape: standard traps become ECS actions.
    const linkDown = normalize(JSON.stringify(got[1]));
    expect(linkDown.ok && linkDown.source).toBe('snmp');
    if (linkDown.ok) {
      expect(get(linkDown.doc, 'event.action')).toBe('link-down');
      expect(get(linkDown.doc, 'snmp.version')).toBe('2c');
    }
  });
});

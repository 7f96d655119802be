import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inventoryInputSchema } from '../config.ts';
import { addresses, collectInventory, fitInventory } from './collect.ts';
import { osInfo, parseOsRelease } from './os-release.ts';
import { parseDpkg, parseRpm } from './packages.ts';
import { listeningPorts, parseProcNet, procAddress } from './ports.ts';
import { parsePasswd } from './users.ts';

const dir = mkdtempSync(join(tmpdir(), 'soc-inv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('os-release', () => {
  it('reads quoted and bare values, and the family from ID_LIKE', () => {
    const f = parseOsRelease(
      'NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu \\"Jammy\\""\n# comment\n',
    );
    expect(f).toMatchObject({
      NAME: 'Ubuntu',
      VERSION_ID: '22.04',
      ID: 'ubuntu',
      PRETTY_NAME: 'Ubuntu "Jammy"',
    });
    expect(osInfo(f, '5.15.0-1')).toEqual({
      type: 'linux',
      name: 'Ubuntu',
      version: '22.04',
      kernel: '5.15.0-1',
      family: 'debian',
    });
    expect(
      osInfo(parseOsRelease('NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\n')).family,
    ).toBe('redhat');
  });
});

describe('packages', () => {
  it('keeps installed dpkg packages only (not removed ones with configuration left)', () => {
    expect(
      parseDpkg(
        'bash\t5.2.15-2+b7\tamd64\tii \nold\t1.0\tamd64\trc \nbroken line\nnginx\t1.22.1-9\tall\tii \n',
      ),
    ).toEqual([
      { name: 'bash', version: '5.2.15-2+b7', arch: 'amd64' },
      { name: 'nginx', version: '1.22.1-9', arch: 'all' },
    ]);
  });

  it('reads rpm -qa lines, without the gpg-pubkey pseudo-packages', () => {
    expect(
      parseRpm(
        'bash\t5.1.8-6.el9\tx86_64\ngpg-pubkey\t8483c65d-5ccc5b19\t(none)\ntzdata\t2024a-1.el9\tnoarch\n',
      ),
    ).toEqual([
      { name: 'bash', version: '5.1.8-6.el9', arch: 'x86_64' },
      { name: 'tzdata', version: '2024a-1.el9', arch: 'noarch' },
    ]);
  });
});

describe('users', () => {
  it('reads passwd lines and skips malformed ones', () => {
    expect(
      parsePasswd(
        'root:x:0:0:root:/root:/bin/bash\nbad:x:nope:0::/:\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n',
      ),
    ).toEqual([
      { name: 'root', uid: 0, home: '/root', shell: '/bin/bash' },
      { name: 'alice', uid: 1000, home: '/home/alice', shell: '/bin/bash' },
    ]);
  });
});

describe('listening ports from /proc/net', () => {
  // Recorded from a little-endian Linux host: sshd on 0.0.0.0:22, a client connection, DNS on 127.0.0.53:53.
  const tcp = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21430 1 0000000000000000 100 0 0 10 0',
    '   1: 0100007F:A1B2 0100007F:0016 01 00000000:00000000 00:00000000 00000000  1000        0 99999 1 0000000000000000 20 4 30 10 -1',
    '   2: 3500007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 19876 1 0000000000000000 100 0 0 10 0',
  ].join('\n');
  const tcp6 = [
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21432 1 0000000000000000 100 0 0 10 0',
    '   1: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21433 1 0000000000000000 100 0 0 10 0',
  ].join('\n');
  const udp = [
    '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
    '  100: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 19875 2 0000000000000000 0',
    '  101: 0A00020F:9C40 08080808:0035 01 00000000:00000000 00:00000000 00000000  1000        0 55555 2 0000000000000000 0',
  ].join('\n');

  it('decodes addresses in host byte order', () => {
    expect(procAddress('0100007F', true)).toBe('127.0.0.1');
    expect(procAddress('7F000001', false)).toBe('127.0.0.1');
    expect(procAddress('000080FE00000000FF005450563412FE', true)).toBe('fe80::5054:ff:fe12:3456');
    expect(procAddress('00000000000000000000000001000000', true)).toBe('::1');
  });

  it('keeps listening TCP sockets and unconnected UDP ones', () => {
    expect(parseProcNet(tcp, 'tcp', true).map(({ inode: _, ...p }) => p)).toEqual([
      { protocol: 'tcp', address: '0.0.0.0', port: 22 },
      { protocol: 'tcp', address: '127.0.0.53', port: 53 },
    ]);
    expect(parseProcNet(tcp6, 'tcp', true).map((p) => `${p.address} ${p.port}`)).toEqual([
      ':: 22',
      '::ffff:127.0.0.1 8080',
    ]);
    expect(parseProcNet(udp, 'udp', true)).toEqual([
      { protocol: 'udp', address: '127.0.0.53', port: 53, inode: 19875 },
    ]);
  });

  it('reads the tables from a /proc/net directory', async () => {
    const net = join(dir, 'net');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(net);
    writeFileSync(join(net, 'tcp'), tcp);
    writeFileSync(join(net, 'udp'), udp);
    const ports = await listeningPorts(net, false);
    expect(ports.map((p) => `${p.protocol}/${p.port}`)).toEqual(['tcp/22', 'tcp/53', 'udp/53']);
  });
});

describe('this host', () => {
  let server: Server;
  afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('finds its own listening socket, with the process that holds it', async () => {
    server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const ports = await listeningPorts('/proc/net');
    const mine = ports.find((p) => p.protocol === 'tcp' && p.port === port);
    expect(mine).toMatchObject({ address: '127.0.0.1' });
    // Our own descriptors are always readable.
    expect(mine?.process).toBeTruthy();
  });

  it('collects an inventory whose parts fail on their own', async () => {
    const cfg = inventoryInputSchema.parse({
      name: 'inv',
      type: 'inventory',
      passwd: join(dir, 'missing-passwd'),
      osRelease: join(dir, 'missing-os-release'),
    });
    const { event, problems } = await collectInventory(cfg, new Date('2026-03-11T04:00:00Z'));
    expect(event).toMatchObject({
      type: 'inventory',
      time: '2026-03-11T04:00:00.000Z',
      hostname: hostname(),
    });
    expect(event.os.kernel).toBeTruthy();
    expect(event.users).toBeUndefined();
    expect(problems.join()).toMatch(/^users: .*ENOENT/);
    expect(event.ports).toBeDefined();
  });

  it('lists addresses without loopback and MACs without the all-zero one', () => {
    const a = addresses({
      lo: [
        {
          address: '127.0.0.1',
          netmask: '255.0.0.0',
          family: 'IPv4',
          mac: '00:00:00:00:00:00',
          internal: true,
          cidr: null,
        },
      ],
      eth0: [
        {
          address: '10.0.0.5',
          netmask: '255.255.255.0',
          family: 'IPv4',
          mac: '52:54:00:AB:CD:EF',
          internal: false,
          cidr: null,
        },
        {
          address: 'fe80::1',
          netmask: 'ffff:ffff:ffff:ffff::',
          family: 'IPv6',
          mac: '52:54:00:AB:CD:EF',
          internal: false,
          cidr: null,
          scopeid: 2,
        },
      ],
      tun0: [
        {
          address: '10.8.0.2',
          netmask: '255.255.255.0',
          family: 'IPv4',
          mac: '00:00:00:00:00:00',
          internal: false,
          cidr: null,
        },
      ],
    });
    expect(a).toEqual({ ips: ['10.0.0.5', 'fe80::1', '10.8.0.2'], macs: ['52:54:00:ab:cd:ef'] });
  });
});

describe('inventory size', () => {
  it('leaves packages out until the event fits one message', () => {
    const packages = Array.from({ length: 20_000 }, (_, i) => ({
      name: `package-with-a-long-name-${i}`,
      version: '1:2.3.4-5+deb12u1',
      arch: 'amd64',
    }));
    const event = {
      type: 'inventory' as const,
      time: '2026-03-11T04:00:00.000Z',
      hostname: 'h',
      os: { type: 'linux', kernel: '6.1' },
      ips: [],
      macs: [],
      packages,
    };
    const leftOut = fitInventory(event, 256 * 1024);
    expect(leftOut).toBeGreaterThan(0);
    expect(event.packages.length + leftOut).toBe(20_000);
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(256 * 1024);
    // The first packages are the ones kept (the list is sorted by name).
    expect(event.packages[0]).toEqual(packages[0]);
    expect(fitInventory(event, 256 * 1024)).toBe(0);
  });
});

import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { get, normalize } from '@soc/normalize';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countFor, ensureTelemetry, readAgent } from '../../shared/test/stream.ts';
import { type NetworkAgent, startNetworkAgent } from './agent.ts';
import { networkConfigSchema } from './config.ts';

const natsUrl = process.env.NATS_URL;
const hasLogger = (() => {
  try {
    execFileSync('logger', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const reason = !natsUrl
  ? ' [skipped: needs NATS_URL (npm test, or soc stack up)]'
  : !hasLogger
    ? ' [skipped: needs logger (util-linux)]'
    : !hasOpenssl
      ? ' [skipped: needs openssl to make a test certificate]'
      : '';

const MAX = 512;

describe.skipIf(reason !== '')(
  `network agent: syslog from real senders over UDP, TCP and TLS${reason}`,
  () => {
    let nc: NatsConnection;
    let agent: NetworkAgent;
    const dir = mkdtempSync(join(tmpdir(), 'soc-net-'));
    // Unique per run: the TELEMETRY stream is shared with other tests and earlier runs.
    const agentId = `net-${process.pid}-${Date.now().toString(36)}`;
    const port = (name: string) => agent.listeners.find((l) => l.name === name)!.address().port;
    const logger = (args: string[]) => execFileSync('logger', ['-n', '127.0.0.1', ...args]);

    beforeAll(async () => {
      nc = await connect({ servers: natsUrl! });
      await ensureTelemetry(nc);
      // A throwaway self-signed certificate: the TLS listener's cert/key come from config files.
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      const config = networkConfigSchema.parse({
        agent: { id: agentId, dataDir: join(dir, 'data') },
        nats: { url: natsUrl },
        heartbeat: { intervalS: 0.5 },
        inputs: [
          { name: 'udp', type: 'syslog', protocol: 'udp', host: '127.0.0.1', port: 0, maxMessageBytes: MAX },
          { name: 'tcp', type: 'syslog', protocol: 'tcp', host: '127.0.0.1', port: 0, maxMessageBytes: MAX },
          {
            name: 'tls',
            type: 'syslog',
            protocol: 'tls',
            host: '127.0.0.1',
            port: 0,
            maxMessageBytes: MAX,
            tls: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') },
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

    it('RFC 3164 and 5424 from logger, TLS frames, garbage and oversize: each shipped once, flagged, listener alive', async () => {
      const tag = agentId;
      logger(['-d', '-P', String(port('udp')), '--rfc3164', '-t', 'sshd', `${tag} udp-3164`]);
      logger([
        '-d',
        '-P',
        String(port('udp')),
        '--rfc5424',
        '-t',
        'app',
        '--msgid',
        'ID47',
        '--sd-id',
        'origin@32473',
        '--sd-param',
        'ip="192.0.2.1"',
        `${tag} udp-5424`,
      ]);
      logger(['-T', '-P', String(port('tcp')), '--rfc3164', '-t', 'sudo', `${tag} tcp-3164-newline`]);
      logger([
        '-T',
        '-P',
        String(port('tcp')),
        '--rfc5424',
        '--octet-count',
        '-t',
        'app',
        `${tag} tcp-5424-counted`,
      ]);

      // TLS (RFC 5425: octet-counted), two messages on one connection, the second with a newline inside.
      const tls5424 = `<165>1 2026-03-11T03:30:00.000Z fw01 app - - - ${tag} tls-one`;
      const tlsMulti = `<165>1 2026-03-11T03:30:01.000Z fw01 app - - - ${tag} tls-two\nsecond line`;
      await new Promise<void>((resolve, reject) => {
        const s = tlsConnect(
          { host: '127.0.0.1', port: port('tls'), ca: readFileSync(join(dir, 'cert.pem')) },
          () => {
            for (const m of [tls5424, tlsMulti]) s.write(`${Buffer.byteLength(m)} ${m}`);
            s.end();
          },
        );
        s.on('error', reject);
        s.on('close', () => resolve());
      });

      // Garbage and oversize over UDP.
      const udp = createSocket('udp4');
      const send = (b: Buffer) =>
        new Promise<void>((r, j) => udp.send(b, port('udp'), '127.0.0.1', (e) => (e ? j(e) : r())));
      await send(Buffer.concat([Buffer.from(`<13>${tag} garbage `), Buffer.from([0xff, 0xfe, 0x00, 0x01])]));
      await send(Buffer.from(`<13>${tag} oversize ${'x'.repeat(2000)}`));
      udp.close();

      // A TCP stream that is not syslog framing: that connection is closed, nothing shipped from it.
      await new Promise<void>((resolve, reject) => {
        const s = tcpConnect(port('tcp'), '127.0.0.1', () => s.write('12x not a frame\n'));
        s.on('error', reject);
        s.on('close', () => resolve());
      });
      // An oversize newline-framed TCP message, then a normal one on the same connection.
      await new Promise<void>((resolve, reject) => {
        const s = tcpConnect(port('tcp'), '127.0.0.1', () =>
          s.end(`<13>${tag} tcp-oversize ${'y'.repeat(3000)}\n<13>${tag} tcp-after-oversize\n`),
        );
        s.on('error', reject);
        s.on('close', () => resolve());
      });
      // The listeners are still up after all of it.
      logger(['-T', '-P', String(port('tcp')), '--rfc5424', '-t', 'app', `${tag} tcp-still-alive`]);
      logger(['-d', '-P', String(port('udp')), '--rfc5424', '-t', 'app', `${tag} udp-still-alive`]);

      const expected = 12;
      const deadline = Date.now() + 20_000;
      while ((await countFor(nc, agentId)) < expected && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      const got = (await readAgent(nc, agentId)).map((g) => g.msg);
      expect(got).toHaveLength(expected);
      const by = (word: string) => {
        const hits = got.filter((m) => m.line?.includes(`${tag} ${word}`));
        expect(hits, word).toHaveLength(1);
        return hits[0]!;
      };

      const u3164 = by('udp-3164');
      expect(u3164.input).toBe('udp');
      expect(u3164.line).toMatch(/^<13>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ sshd(\[\d+\])?: /);
      expect(u3164.source).toMatchObject({ address: '127.0.0.1', transport: 'udp' });
      expect(u3164.source?.port).toBeGreaterThan(0);
      expect(by('udp-5424').line).toMatch(
        /^<13>1 \S+ \S+ app \S+ ID47 (\[[^\]]*\])*\[origin@32473 ip="192\.0\.2\.1"\]/,
      );
      expect(by('tcp-3164-newline')).toMatchObject({ input: 'tcp', source: { transport: 'tcp' } });
      expect(by('tcp-5424-counted').line).toMatch(/^<13>1 /);
      expect(by('tls-one')).toMatchObject({ input: 'tls', line: tls5424, source: { transport: 'tls' } });
      expect(by('tls-two').line).toBe(tlsMulti);

      const garbage = by('garbage');
      expect(garbage.parseError).toMatch(/UTF-8/);
      expect(garbage.line).toContain('\uFFFD');
      const over = by('oversize');
      expect(over.truncated).toBe(true);
      expect(Buffer.byteLength(over.line!)).toBe(MAX);
      const tcpOver = by('tcp-oversize');
      expect(tcpOver.truncated).toBe(true);
      expect(Buffer.byteLength(tcpOver.line!)).toBe(MAX);
      expect(by('tcp-after-oversize').truncated).toBeUndefined();
      by('tcp-still-alive');
      by('udp-still-alive');
      expect(got.some((m) => m.line?.includes('not a frame'))).toBe(false);

      // The normaliser reads what the agent ships: the device's syslog header, not the agent's host.
      const doc = normalize(JSON.stringify(by('tls-one')));
      expect(doc.ok && doc.source).toBe('syslog');
      if (doc.ok) expect(get(doc.doc, 'host.hostname') ?? get(doc.doc, 'host.name')).toBe('fw01');
      const flagged = normalize(JSON.stringify(garbage));
      expect(flagged.ok && get(flagged.doc, 'tags')).toContain('_json_parse_failure');

      const stats = Object.fromEntries(agent.listeners.map((l) => [l.name, l.stats]));
      expect(stats.udp).toMatchObject({ received: 5, oversize: 1, garbage: 1 });
      expect(stats.tcp).toMatchObject({ received: 5, oversize: 1, garbage: 0, badFrames: 1 });
      expect(stats.tls).toMatchObject({ received: 2, badFrames: 0 });
    });

    it('the heartbeat carries each listener state and its flagged-message counters', async () => {
      type Beat = { inputs: Record<string, { state?: string; stats?: Record<string, number> }> };
      let last: Beat | undefined;
      const sub = nc.subscribe(`agent.${agentId}.heartbeat`, {
        callback: (_e, m) => {
          last = m.json<Beat>();
        },
      });
      try {
        // The test above sent garbage and oversize messages over UDP.
        for (let i = 0; i < 100 && !(last?.inputs.udp?.stats?.garbage ?? 0); i++)
          await new Promise((r) => setTimeout(r, 50));
      } finally {
        sub.unsubscribe();
      }
      expect(last?.inputs.udp).toMatchObject({ state: 'running' });
      expect(last?.inputs.udp?.stats?.garbage).toBeGreaterThanOrEqual(1);
      expect(last?.inputs.udp?.stats?.oversize).toBeGreaterThanOrEqual(1);
      expect(last?.inputs.tls?.state).toBe('running');
    });
  },
);

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { agentBaseSchema, type HeartbeatBody, heartbeatSubject, startRuntime } from '@soc/agent-shared';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { countFor, ensureTelemetry, readAgent } from '../../shared/test/stream.ts';
import { natsServerOnPath, OwnNatsServer } from '../test/processes.ts';

const why = !process.env.NATS_URL
  ? ' [skipped: needs NATS_URL (npm test, or soc stack up)]'
  : !natsServerOnPath
    ? ' [skipped: needs nats-server on PATH (soc stack up installs it)]'
    : '';

describe.skipIf(why !== '')(
  `disk buffer full while NATS is down: drops are counted, never silent${why}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-overflow-'));
    let nats: OwnNatsServer | undefined;
    let nc: NatsConnection | undefined;
    afterAll(async () => {
      await nc?.close();
      await nats?.kill();
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps the newest events within maxBytes, reports the rest as dropped, delivers the rest in order', async () => {
      nats = await OwnNatsServer.start(dir);
      nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
      await ensureTelemetry(nc);
      const beats: HeartbeatBody[] = [];
      nc.subscribe(heartbeatSubject('ovf'), { callback: (_e, m) => void beats.push(m.json()) });
      await nats.kill();

      const logFile = join(dir, 'agent.log');
      const config = agentBaseSchema.parse({
        agent: { id: 'ovf', dataDir: join(dir, 'data') },
        nats: { url: nats.url },
        buffer: { maxBytes: '64KiB', segmentBytes: '16KiB', fsync: 'never' },
        heartbeat: { intervalS: 0.2 },
      });
      const rt = await startRuntime(config, {
        version: 't',
        logger: pino({ level: 'warn' }, pino.destination({ dest: logFile, sync: true })),
        inputs: () => ['app'],
      });
      const written = 2000;
      for (let i = 0; i < written; i++)
        await rt.output.write('app', { line: `event ${i} ${'x'.repeat(200)}` });
      await rt.output.flush();
      expect(rt.buffer.bytes).toBeLessThanOrEqual(64 * 1024);
      const dropped = rt.buffer.dropped.get('app') ?? 0;
      expect(dropped).toBeGreaterThan(written / 2);

      await nats.up();
      const deadline = Date.now() + 20_000;
      // The test's own connection may still be reconnecting: a failed count is a zero.
      while ((await countFor(nc, 'ovf').catch(() => 0)) < written - dropped && Date.now() < deadline)
        await sleep(100);
      await sleep(500);
      await rt.close();

      const got = await readAgent(nc, 'ovf');
      // Everything not dropped arrived, once and in order: first what the publisher already held
      // when NATS went away (one batch, at most batchMaxEvents; its linger may have topped it up
      // from further on in the buffer, so it need not be contiguous), then the newest events,
      // contiguous up to the last one written.
      expect(got.length).toBe(written - dropped);
      const seqs = got.map((g) => g.msg.seq);
      expect(seqs.every((q, i) => i === 0 || q > seqs[i - 1]!)).toBe(true);
      let runStart = seqs.length - 1;
      while (runStart > 0 && seqs[runStart - 1] === seqs[runStart]! - 1) runStart--;
      expect(runStart).toBeGreaterThan(0);
      expect(runStart).toBeLessThanOrEqual(config.output.batchMaxEvents);
      expect(seqs.at(-1)).toBe(written);
      // The newest events kept fill most of the buffer (whole 16 KiB segments drop, and records
      // carry framing the messages do not).
      const kept = got.slice(runStart).reduce((n, g) => n + JSON.stringify(g.msg).length, 0);
      expect(kept).toBeGreaterThan(32 * 1024);
      expect(got.at(-1)?.msg.line).toMatch(/^event 1999 /);
      // Said out loud: a warning with the count, and the heartbeat's per-input counter.
      const warned = readFileSync(logFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { msg: string; dropped?: { app: number } })
        .filter((l) => l.msg.startsWith('disk buffer full'));
      expect(warned.reduce((n, l) => n + (l.dropped?.app ?? 0), 0)).toBe(dropped);
      expect(beats.at(-1)?.inputs.app).toMatchObject({
        read: written,
        dropped,
        sent: written - dropped,
        buffered: 0,
      });
    });
  },
);

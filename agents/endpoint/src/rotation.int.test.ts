import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countFor, ensureTelemetry, readAgent } from '../../shared/test/stream.ts';
import { deliveryReport, LogWriter, PERFECT } from '../test/writer.ts';
import { startEndpointAgent } from './agent.ts';
import { endpointConfigSchema } from './config.ts';

const natsUrl = process.env.NATS_URL;
const skip = natsUrl ? '' : ' [skipped: needs NATS_URL (npm test, or soc stack up)]';

/** Line numbers per prefix, in stream order. */
function numbersOf(lines: string[], prefix: string): number[] {
  return lines.filter((l) => l.startsWith(`${prefix} `)).map((l) => Number(l.split(' ')[1]));
}

describe.skipIf(!natsUrl)(`endpoint agent: real files rotated while being written${skip}`, () => {
  let nc: NatsConnection;
  const dir = mkdtempSync(join(tmpdir(), 'soc-rot-'));
  beforeAll(async () => {
    nc = await connect({ servers: natsUrl! });
    await ensureTelemetry(nc);
  });
  afterAll(async () => {
    await nc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rename and copytruncate rotations: every line exactly once, in order per file', async () => {
    const agentId = `rot-${process.pid}-${Date.now().toString(36)}`;
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const config = endpointConfigSchema.parse({
      agent: { id: agentId, dataDir: join(dir, 'data') },
      nats: { url: natsUrl },
      tail: { pollMs: 20, closeInactiveMs: 300 },
      inputs: [
        // Rotated names (a.log.1…) fall outside the glob: they are followed by inode.
        { name: 'renamed', type: 'file', paths: [join(logs, 'a.log')] },
        // The copies copytruncate makes (b.log.1…) are inside it: they must not be shipped twice.
        { name: 'truncated', type: 'file', paths: [join(logs, 'b.log*')] },
      ],
    });
    const a = new LogWriter(join(logs, 'a.log'), 'a');
    const b = new LogWriter(join(logs, 'b.log'), 'b');
    const agent = await startEndpointAgent(config, pino({ level: 'silent' }));
    const total = 10_000;
    for (let step = 1; a.next < total; step++) {
      a.write(Math.min(50, total - a.next));
      b.write(Math.min(50, total - b.next));
      if (step % 40 === 0) a.rotateByRename();
      if (step % 40 === 20) b.rotateByCopyTruncate();
      await new Promise((r) => setTimeout(r, 3));
    }
    a.close();
    b.close();
    const written = a.next + b.next;
    const deadline = Date.now() + 30_000;
    while ((await countFor(nc, agentId)) < written && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    await agent.stop();

    const got = (await readAgent(nc, agentId)).map((g) => g.msg.line ?? '');
    expect(got.length).toBe(written);
    expect(deliveryReport(numbersOf(got, 'a'), a.next)).toEqual(PERFECT(a.next));
    expect(deliveryReport(numbersOf(got, 'b'), b.next)).toEqual(PERFECT(b.next));
  });
});

import { Kvm } from '@nats-io/kv';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { buildMessage } from '@soc/agent-shared';
import { jetstream, type Shutdown } from '@soc/core';
import { needsStack, stackUrls } from '@soc/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLane, deleteLane, type Lane, lane, startInProcess, waitForAlerts } from '../test/harness.ts';

const IPS = 24;

describe.skipIf(!stackUrls)(`correlations partitioned over two detection processes${needsStack}`, () => {
  let nc: NatsConnection;
  let l: Lane;
  const shutdowns: Shutdown[] = [];
  beforeAll(async () => {
    nc = await connect({ servers: stackUrls!.natsUrl });
    l = lane('det-part');
    await createLane(nc, l);
  });
  afterAll(async () => {
    for (const s of shutdowns) await s.run('test done');
    const { Client } = await import('@elastic/elasticsearch');
    const es = new Client({ node: stackUrls!.elasticsearchUrl });
    if (l) await deleteLane(nc, es, l);
    await es.close();
    await nc?.close();
  });

  it(`${IPS} brute forces then successes, 3 partitions owned by two processes sharing the consumer: each correlation fires once per address`, async () => {
    const base = l.config as { correlation: Record<string, unknown> };
    const a = await startInProcess(nc, stackUrls!.elasticsearchUrl, {
      ...base,
      correlation: { ...base.correlation, partitions: 3, owned: [0] },
    });
    const b = await startInProcess(nc, stackUrls!.elasticsearchUrl, {
      ...base,
      correlation: { ...base.correlation, partitions: 3, owned: [1, 2] },
    });
    shutdowns.push(a.shutdown, b.shutdown);
    const js = jetstream(nc);
    let seq = 0;
    const send = async (lines: string[]) => {
      for (const line of lines) {
        const msg = buildMessage(l.agent, 'collector01', 'auth', ++seq, {
          line,
          source: { path: '/var/log/auth.log', offset: seq },
        });
        const h = headers();
        h.set('Nats-Msg-Id', msg.id);
        await js.publish(`telemetry.${l.agent}.auth`, JSON.stringify(msg), { headers: h });
      }
    };
    const ip = (i: number) => `198.18.7.${i + 1}`;
    for (let k = 0; k < 5; k++)
      await send(
        Array.from(
          { length: IPS },
          (_, i) =>
            `Mar 11 10:40:0${k} web01 sshd[1]: Failed password for root from ${ip(i)} port ${40000 + k} ssh2`,
        ),
      );
    await send(
      Array.from(
        { length: IPS },
        (_, i) => `Mar 11 10:41:00 web01 sshd[2]: Accepted password for root from ${ip(i)} port 41000 ssh2`,
      ),
    );
    const all = await waitForAlerts(a.es, l.prefix, (x) => x.length >= IPS * 2);
    const by = (t: string) =>
      all
        .filter((x) => x.rule.title === t)
        .map((x) => x.entities.source?.ip)
        .sort();
    const expected = Array.from({ length: IPS }, (_, i) => ip(i)).sort();
    expect(by('SSH brute force against a server')).toEqual(expected);
    expect(by('SSH brute force followed by a successful login')).toEqual(expected);
    expect(all.length).toBe(IPS * 2);
    // the groups were spread: every partition (so both processes) kept windows and snapshotted them
    expect(a.det.correlators.map((c) => c.partition)).toEqual([0]);
    expect(b.det.correlators.map((c) => c.partition)).toEqual([1, 2]);
    const kv = await new Kvm(nc).open((base.correlation as { bucket: string }).bucket);
    for (const p of ['p0', 'p1', 'p2'])
      expect((await kv.get(p))?.json<{ seq: number }>().seq ?? 0).toBeGreaterThan(0);
  });
});

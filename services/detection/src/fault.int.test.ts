import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import { Kvm } from '@nats-io/kv';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { buildMessage } from '@soc/agent-shared';
import { type Alert, type JetStreamClient, jetstream, jetstreamManager, TELEMETRY_STREAM } from '@soc/core';
import { needsStack, stackUrls } from '@soc/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alerts,
  createLane,
  DetectionProcess,
  deleteLane,
  type Lane,
  lane,
  waitForAlerts,
} from '../test/harness.ts';

const SCENARIOS = 100; // brute force then success, one source address each
const SHELLS = 100; // web shell requests per phase, one source address each
const FILLER = 10_000; // benign lines per phase

const ip = (i: number) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const shellIp = (i: number) => `198.19.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const ts = (s: number) =>
  `Mar 11 10:${String(40 + Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;

/** Agent messages published as the endpoint agent would (same ids, same de-duplication header). */
class Feed {
  seq = 0;
  constructor(
    private readonly js: JetStreamClient,
    private readonly agent: string,
  ) {}
  async send(input: string, path: string, lines: string[]): Promise<void> {
    const pending: Promise<unknown>[] = [];
    for (const line of lines) {
      const msg = buildMessage(this.agent, 'collector01', input, ++this.seq, {
        line,
        source: { path, offset: this.seq },
      });
      const h = headers();
      h.set('Nats-Msg-Id', msg.id);
      pending.push(this.js.publish(`telemetry.${this.agent}.${input}`, JSON.stringify(msg), { headers: h }));
      if (pending.length >= 500) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
  }
}

function filler(phase: number): { auth: string[]; web: string[] } {
  const auth: string[] = [];
  const web: string[] = [];
  for (let i = 0; i < FILLER / 2; i++) {
    auth.push(
      `${ts(i % 120)} web01 sshd[9${i}]: Accepted publickey for deploy from 192.0.2.${(i % 200) + 1} port ${20000 + i} ssh2: ED25519 SHA256:x${phase}`,
    );
    web.push(
      `192.0.2.${(i % 200) + 1} - - [11/Mar/2026:10:45:00 +0700] "GET /tin-tuc/${phase}-${i}.html HTTP/1.1" 200 5120 "-" "Mozilla/5.0"`,
    );
  }
  return { auth, web };
}

describe.skipIf(!stackUrls)(`detection killed -9 mid-stream and restarted${needsStack}`, () => {
  let nc: NatsConnection;
  let es: Client;
  let l: Lane;
  let proc: DetectionProcess | undefined;

  beforeAll(async () => {
    nc = await connect({ servers: stackUrls!.natsUrl });
    es = new Client({ node: stackUrls!.elasticsearchUrl });
    l = lane('det-fault', { ackWaitS: 2, batch: { maxEvents: 200, flushMs: 20 } });
    await createLane(nc, l);
  });
  afterAll(async () => {
    await proc?.kill9();
    if (l) await deleteLane(nc, es, l);
    await es?.close();
    await nc?.close();
  });

  it(`every expected alert exactly once (${SHELLS * 2} web shells, ${SCENARIOS} brute forces, ${SCENARIOS} brute force + success straddling the restart)`, async () => {
    const feed = new Feed(jetstream(nc), l.agent);
    proc = new DetectionProcess(stackUrls!.natsUrl, stackUrls!.elasticsearchUrl, l.config);

    // Phase A: the failures of every scenario and the first web shells, inside benign traffic.
    const a = filler(1);
    const failures: string[] = [];
    for (let k = 0; k < 5; k++)
      for (let i = 0; i < SCENARIOS; i++)
        failures.push(
          `${ts(k * 2)} web01 sshd[1${i}]: Failed password for root from ${ip(i)} port ${30000 + k} ssh2`,
        );
    const shellsA = Array.from(
      { length: SHELLS },
      (_, i) =>
        `${shellIp(i)} - - [11/Mar/2026:10:46:00 +0700] "GET /uploads/${i}.php HTTP/1.1" 200 10 "-" "curl/8.5"`,
    );
    await feed.send('auth', '/var/log/auth.log', [
      ...a.auth.slice(0, 1000),
      ...failures,
      ...a.auth.slice(1000),
    ]);
    await feed.send('nginx', '/var/log/nginx/access.log', [...a.web, ...shellsA]);

    // Kill as soon as the service is visibly mid-stream: some alerts written, backlog left.
    const seen = await waitForAlerts(es, l.prefix, (x) => x.length >= 1, 90_000);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    await proc.kill9();
    const atKill = await alerts(es, l.prefix);
    const jsm = await jetstreamManager(nc);
    const c = l.config as { consumer: string; correlation: { bucket: string } };
    const info = await jsm.consumers.info(TELEMETRY_STREAM.name, c.consumer);
    const backlog = info.num_pending + info.num_ack_pending;
    expect(backlog).toBeGreaterThan(0); // killed with work left: mid-stream
    // the failures seen before the kill are in the partition's snapshot, not only in the stream
    const kv = await new Kvm(nc).open(c.correlation.bucket);
    const snap = (await kv.get('p0'))?.json<{
      seq: number;
      families: Record<string, { groups: unknown[] }>;
    }>();
    expect(snap?.seq ?? 0).toBeGreaterThan(0);
    const held = Object.values(snap?.families ?? {}).reduce((n, f) => n + f.groups.length, 0);

    // Phase B, while detection is down: the successes (closing the straddling windows) and more shells.
    const b = filler(2);
    const successes = Array.from(
      { length: SCENARIOS },
      (_, i) => `${ts(20)} web01 sshd[2${i}]: Accepted password for root from ${ip(i)} port 31000 ssh2`,
    );
    const shellsB = Array.from(
      { length: SHELLS },
      (_, i) =>
        `${shellIp(SHELLS + i)} - - [11/Mar/2026:10:47:00 +0700] "GET /uploads/${i}.php HTTP/1.1" 200 10 "-" "curl/8.5"`,
    );
    await feed.send('auth', '/var/log/auth.log', [
      ...b.auth.slice(0, 500),
      ...successes,
      ...b.auth.slice(500),
    ]);
    await feed.send('nginx', '/var/log/nginx/access.log', [...shellsB, ...b.web]);

    proc = new DetectionProcess(stackUrls!.natsUrl, stackUrls!.elasticsearchUrl, l.config);
    const total = SHELLS * 2 + SCENARIOS * 2;
    const got = await waitForAlerts(es, l.prefix, (x) => x.length >= total, 120_000);
    await sleep(3_000); // anything doubled or extra would show now
    const all = await alerts(es, l.prefix);
    if (all.length !== total) console.info(proc.output);
    const by = (title: string) => all.filter((x: Alert) => x.rule.title === title);
    expect(got.length).toBe(total);
    expect(all.length).toBe(total);
    expect(by('Web shell requested on a public portal').length).toBe(SHELLS * 2);
    expect(by('SSH brute force against a server').length).toBe(SCENARIOS);
    expect(by('SSH brute force followed by a successful login').length).toBe(SCENARIOS);
    for (const x of all) expect(new Set(x.events.ids).size).toBe(x.events.ids.length);
    expect(by('Web shell requested on a public portal').every((x) => x.count === 1)).toBe(true);
    expect(by('SSH brute force against a server').every((x) => x.count === 5)).toBe(true);
    expect(by('SSH brute force followed by a successful login').every((x) => x.count === 6)).toBe(true);
    console.info(
      `fault: killed with ${backlog} messages left and ${held} correlation groups in the snapshot; ${atKill.length} alerts before the kill, ${all.length} after the restart`,
    );
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type Alert, jetstreamManager, type RuleState, ruleStateSchema } from '@soc/core';
import { RETRO_HEADER, retroAlertPublisher } from '@soc/detection/retro';
import { parseSigmaText, type SigmaCorrelation, type SigmaRule } from '@soc/sigma';
import { indexMappings } from '@soc/sigma/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ES_URL,
  type Harness,
  NATS_URL,
  ORG_A,
  ORG_B,
  skipReason,
  startHarness,
} from '../../../test/harness.ts';
import type { Hunt } from './model.ts';

/** The starter rule "SSH brute force followed by a successful login" and what it chains. */
const CHAINED = '6e27c3c0-1b40-4f4e-ad45-2c88da94edc9';
const LINUX = join(import.meta.dirname, '../../../../../rules/sigma/linux');
const FILES = ['ssh_login_failed.yml', 'ssh_login_success.yml', 'ssh_bruteforce_then_success.yml'];
const T0 = Date.parse('2026-03-11T04:00:00Z');
const MIN = 60_000;
const X = '203.0.113.50';

/** An sshd event as ingest indexes it. */
function ssh(id: string, org: string, minutes: number, outcome: 'failure' | 'success') {
  return {
    '@timestamp': new Date(T0 + minutes * MIN).toISOString(),
    event: { id, dataset: 'system.auth', action: 'ssh_login', outcome },
    host: { name: `srv.${org}`, os: { type: 'linux' } },
    process: { name: 'sshd' },
    user: { name: 'root' },
    source: { ip: X },
    message: `${outcome === 'failure' ? 'Failed' : 'Accepted'} password for root from ${X} port 22 ssh2`,
    soc: { organization: { id: org }, system: { id: `sys-${org}` }, security_level: 3 },
  };
}

/** The rules index documents of the starter files, one per Sigma document, as detection registers them. */
function ruleStates(): RuleState[] {
  const now = new Date().toISOString();
  return FILES.flatMap((f) =>
    readFileSync(join(LINUX, f), 'utf8')
      .split(/^---$/m)
      .map((source) => {
        const d = parseSigmaText(source, f).documents[0] as SigmaRule | SigmaCorrelation;
        return ruleStateSchema.parse({
          id: d.id,
          title: d.title,
          level: d.level ?? 'medium',
          source,
          file: `rules/sigma/linux/${f}`,
          enabled: true,
          version: 2,
          updated_by: 'detection',
          updated_at: now,
        });
      }),
  );
}

/**
 * Retro-hunts of a correlation through the API, with the real Elasticsearch and NATS: the
 * route accepts the correlation's id, the job reports progress and writes the chained alert of
 * the caller's organisation only, published on NATS like a live alert.
 */
describe.skipIf(!ES_URL || !NATS_URL)(`retro-hunts of correlation rules through the API${skipReason}`, () => {
  let h: Harness;
  let nc: NatsConnection;
  const stream = () => `HUNTC_${h.prefix.replace(/-/g, '_').toUpperCase()}`;
  const subjectPrefix = () => `${h.prefix}.alerts`;

  const poll = async (id: string, token: string): Promise<Hunt> => {
    for (let i = 0; i < 300; i++) {
      const res = await h.request('GET', `/hunts/${id}`, { token });
      expect(res.status).toBe(200);
      const job = (await res.json()) as Hunt;
      if (['done', 'failed', 'cancelled'].includes(job.state)) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`hunt ${id} did not finish`);
  };

  beforeAll(async () => {
    h = await startHarness('hunts-corr');
    nc = await connect({ servers: NATS_URL! });
    await (await jetstreamManager(nc)).streams.add({ name: stream(), subjects: [`${subjectPrefix()}.>`] });
    // as the API's main wires it once NATS is connected
    h.deps.hunts.publishWith(await retroAlertPublisher(nc, subjectPrefix()));
    await h.es.indices.create({
      index: `${h.prefix}-events-corr`,
      mappings: indexMappings as never,
      aliases: { [h.deps.eventsIndex]: {} },
      settings: { number_of_replicas: 0 },
    });
    const docs = [
      // A: five failures then a success from X; B: the same address, interleaved a minute later
      ...[0, 1, 2, 3, 4].map((m) => ssh(`a-f${m}`, ORG_A, m, 'failure')),
      ssh('a-ok', ORG_A, 5, 'success'),
      ...[1, 2, 3, 4, 5].map((m) => ssh(`b-f${m}`, ORG_B, m + 0.5, 'failure')),
      ssh('b-ok', ORG_B, 6.5, 'success'),
    ];
    await h.es.bulk({
      refresh: true,
      operations: [
        ...docs.flatMap((d) => [{ create: { _index: `${h.prefix}-events-corr`, _id: d.event.id } }, d]),
        ...ruleStates().flatMap((s) => [{ index: { _index: h.deps.indices.rules, _id: s.id } }, s]),
      ],
    });
  });
  afterAll(async () => {
    await (await jetstreamManager(nc)).streams.delete(stream()).catch(() => undefined);
    await nc?.drain();
    await h?.close();
  });

  it("accepts the correlation's id; the job reports progress and writes A's chained alert only, published", async () => {
    const analystA = h.tokens.get(`analyst@${ORG_A}`)!;
    const res = await h.request('POST', `/rules/${CHAINED}/hunts`, {
      token: analystA,
      body: { from: new Date(T0 - 10 * MIN).toISOString(), to: new Date(T0 + 60 * MIN).toISOString() },
    });
    expect(res.status).toBe(202);
    const job = await poll(((await res.json()) as Hunt).id, analystA);
    expect(job).toMatchObject({
      state: 'done',
      rule: { id: CHAINED, version: 2 },
      // A's failures and success (from − 20 min of look-back), none of B's
      progress: { events_total: 6, events_scanned: 6, excepted: 0, alerts: 1, percent: 100 },
    });
    await h.es.indices.refresh({ index: h.deps.indices.alerts });
    const found = (
      await h.es.search<Alert>({ index: h.deps.indices.alerts, query: { term: { 'rule.id': CHAINED } } })
    ).hits.hits.map((x) => x._source!);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ retro: true, count: 6, organization: { id: ORG_A } });
    expect([...found[0]!.events.ids].sort()).toEqual(['a-f0', 'a-f1', 'a-f2', 'a-f3', 'a-f4', 'a-ok']);
    const msg = (await (await jetstreamManager(nc)).streams.getMessage(stream(), { seq: 1 }))!;
    expect(msg.subject).toBe(`${subjectPrefix()}.critical.${CHAINED}`);
    expect(msg.header?.get(RETRO_HEADER)).toBe('true');
    expect((msg.json() as Alert).id).toBe(found[0]!.id);
  });

  it('refuses a correlation whose rules cannot be resolved, before queueing a job', async () => {
    const source = [
      'title: Brute force of a rule nobody wrote',
      'id: 0d7c4f0e-6a43-4f39-8f53-1b3f1f0b9a11',
      'correlation:',
      '  type: event_count',
      '  rules:',
      '    - soc_no_such_rule',
      '  group-by:',
      '    - source.ip',
      '  timespan: 10m',
      '  condition:',
      '    gte: 5',
      'level: high',
      '',
    ].join('\n');
    await h.es.index({
      index: h.deps.indices.rules,
      id: '0d7c4f0e-6a43-4f39-8f53-1b3f1f0b9a11',
      refresh: true,
      document: ruleStateSchema.parse({
        id: '0d7c4f0e-6a43-4f39-8f53-1b3f1f0b9a11',
        title: 'Brute force of a rule nobody wrote',
        level: 'high',
        source,
        enabled: true,
        version: 1,
        updated_by: 'test',
        updated_at: new Date().toISOString(),
      }),
    });
    const res = await h.request('POST', '/rules/0d7c4f0e-6a43-4f39-8f53-1b3f1f0b9a11/hunts', {
      token: h.tokens.get(`analyst@${ORG_A}`)!,
      body: { from: new Date(T0).toISOString(), to: new Date(T0 + MIN).toISOString() },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('soc_no_such_rule');
  });
});

import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { EndpointAgent } from '@soc/agent-endpoint';
import { type Alert, jetstreamManager } from '@soc/core';
import { needsStack, stackUrls } from '@soc/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgentOnFixtures } from '../test/agent.ts';
import {
  alerts,
  createLane,
  deleteLane,
  type Lane,
  lane,
  startInProcess,
  waitForAlerts,
} from '../test/harness.ts';
import { starterCases } from '../test/starter.ts';
import type { RunningDetection } from './service.ts';

const cases = starterCases();
const INTEL = 'intel:ip:203.0.113.17';
const expected = new Set([...cases.flatMap((c) => [c.rule, ...c.also]), INTEL]);
/** The command-in-a-request rule fires in two scenarios (two attackers): two alerts. */
const alertsExpected = cases.reduce((n, c) => n + 1 + c.also.length, 0) + 1; // + the intel match
const fromBenign = (a: Alert) => JSON.stringify((a.fields as { log?: unknown }).log ?? '').includes('/bn/');

describe.skipIf(!stackUrls)(
  `detection end to end: files → endpoint agent → NATS → detection → alerts in Elasticsearch${needsStack}`,
  () => {
    let nc: NatsConnection;
    let l: Lane;
    let es: Client;
    let det: RunningDetection;
    let stop: () => Promise<void>;
    let agent: EndpointAgent | undefined;
    const dir = mkdtempSync(join(tmpdir(), 'soc-det-e2e-'));

    beforeAll(async () => {
      nc = await connect({ servers: stackUrls!.natsUrl });
      // a feed whose live indicator is the Suricata scenario's attacker, and an expired one the defacement's
      mkdirSync(join(dir, 'intel'));
      writeFileSync(
        join(dir, 'intel/feed.csv'),
        'type,value,confidence,valid_until,source,description\nip,203.0.113.17,90,,CERT test feed,exploit kit\nip,203.0.113.16,90,2020-01-01T00:00:00Z,old feed,expired\n',
      );
      l = lane('det-e2e', { intel: { paths: [join(dir, 'intel')] } });
      await createLane(nc, l);
      const started = await startInProcess(nc, stackUrls!.elasticsearchUrl, l.config);
      ({ det, es } = started);
      stop = () => started.shutdown.run('test done');
    });
    afterAll(async () => {
      await agent?.stop();
      await stop?.();
      if (l) {
        const { Client } = await import('@elastic/elasticsearch');
        const c = new Client({ node: stackUrls!.elasticsearchUrl });
        await deleteLane(nc, c, l);
        await c.close();
      }
      await nc?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it(`every starter rule raises its alert (${expected.size - 1} rules) and the live indicator its own, the benign corpus and the expired indicator none, each alert once`, async () => {
      ({ agent } = await runAgentOnFixtures(dir, stackUrls!.natsUrl, l.agent, cases));
      const t0 = Date.now();
      const got = await waitForAlerts(es, l.prefix, (a) =>
        [...expected].every((id) => a.some((x) => x.rule.id === id)),
      );
      const seconds = (Date.now() - t0) / 1000;
      // let anything late or extra arrive before asserting there is none
      await sleep(2_000);
      const all = await alerts(es, l.prefix);
      expect(all.length).toBe(got.length);
      expect([...new Set(all.map((a) => a.rule.id))].sort()).toEqual([...expected].sort());
      // one alert per (scenario, rule): every scenario is one entity
      expect(all.length).toBe(alertsExpected);
      expect(all.filter(fromBenign).map((a) => a.rule.title)).toEqual([]);
      for (const a of all) {
        expect(a.status).toBe('open');
        expect(a.retro).toBe(false);
        expect(a.count).toBeGreaterThanOrEqual(1);
        expect(a.events.ids.length).toBe(a.count);
        expect(a.events.ids.every((id) => id.startsWith(`${l.agent}:`))).toBe(true);
      }
      const intel = all.find((a) => a.rule.id === INTEL)!;
      expect(intel.rule.level).toBe('high');
      expect(intel.rule.tags).toContain('intel.source.CERT test feed');
      expect((intel.fields.threat as { indicator: unknown }).indicator).toMatchObject({
        provider: 'CERT test feed',
        confidence: 90,
        value: '203.0.113.17',
      });
      const chain = all.find((a) => a.rule.title === 'SSH brute force followed by a successful login')!;
      expect(chain.count).toBe(6); // five failures, then the success
      expect(chain.entities.source?.ip).toBe('203.0.113.11');
      expect(chain.rule.level).toBe('critical');
      expect(chain.rule.attack.techniques).toContain('T1110.001');
      console.info(`e2e: ${all.length} alerts searchable ${seconds.toFixed(1)} s after the agent started`);
    });

    it('published every alert on NATS', async () => {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info((l.config as { alerts: { stream: string } }).alerts.stream);
      expect(info.state.messages).toBeGreaterThanOrEqual(expected.size);
    });

    it('hot reload: a rule disabled in the rules index stops alerting, without a restart and without missing an event', async () => {
      const { socIndices } = await import('@soc/core');
      const ix = socIndices(l.prefix);
      const netdev = cases.find((c) => c.file === 'netdev.log')!.rule;
      await es.index({
        index: ix.rules,
        id: netdev,
        refresh: true,
        document: {
          id: netdev,
          title: 'netdev',
          level: 'medium',
          tags: [],
          logsource: {},
          source: '',
          enabled: false,
          exceptions: [],
          version: 2,
          updated_by: 'test',
          updated_at: new Date().toISOString(),
        },
      });
      expect(await det.reload()).toBe(true);
      expect(await det.reload()).toBe(false); // nothing changed since
      const before = await alerts(es, l.prefix);
      // a new device changes its configuration, and a new Suricata alert arrives after it
      appendFileSync(
        join(dir, 'logs/tp/netdev.log'),
        '<189>Mar 11 11:02:00 dist-sw09 77: %SYS-5-CONFIG_I: Configured from console by eve on vty0 (10.10.0.99)\n',
      );
      const eve = JSON.parse(JSON.stringify(cases.find((c) => c.file === 'eve.json')!.true_positive[0])) as {
        src_ip: string;
      };
      eve.src_ip = '203.0.113.99';
      appendFileSync(join(dir, 'logs/tp/eve.json'), `${JSON.stringify(eve)}\n`);
      const after = await waitForAlerts(es, l.prefix, (a) => a.length > before.length);
      await sleep(1_000);
      const now = await alerts(es, l.prefix);
      expect(now.length).toBe(after.length);
      const added = now.filter((a) => !before.some((b) => b.id === a.id));
      expect(added.map((a) => a.entities.source?.ip)).toEqual(['203.0.113.99']);
      expect(det.detector.rules.versions.has(netdev)).toBe(false);
    });
  },
);

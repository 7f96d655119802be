import { Client } from '@elastic/elasticsearch';
import { connect } from '@nats-io/transport-node';
import { buildMessage } from '@soc/agent-shared';
import { jetstreamManager, socIndices } from '@soc/core';
import { normalize } from '@soc/normalize';
import { loadPipeline } from '@soc/sigma';
import { indexMappings, indexSettings } from '@soc/sigma/elasticsearch';
import { needsStack, stackUrls, uniqueName } from '@soc/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteIndices } from '../test/harness.ts';
import { agentBody, RULES_DIR, starterCases } from '../test/starter.ts';
import { RETRO_HEADER } from './publish.ts';
import { retroHunt } from './retro.ts';
import { retroAlertPublisher } from './retro-lib.ts';
import { RuleSet, readRuleFiles, ruleKey } from './ruleset.ts';
import { AlertStore, ensureAlertIndices } from './store.ts';

describe.skipIf(!stackUrls)(
  `retro-hunt: a rule over history through the Elasticsearch backend${needsStack}`,
  () => {
    const prefix = `it-${uniqueName('det-retro')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')}`;
    const events = `${prefix}-events-test`;
    let es: Client;
    const docs: Record<string, unknown>[] = [];
    const pipeline = loadPipeline('ecs');
    const rs = new RuleSet(pipeline, { files: readRuleFiles([RULES_DIR]).documents, states: [] });

    beforeAll(async () => {
      es = new Client({ node: stackUrls!.elasticsearchUrl });
      await es.indices.create({
        index: events,
        mappings: indexMappings as never,
        settings: indexSettings as never,
      });
      let seq = 0;
      // every fixture, true positive and benign, twice: as an archive of history would hold them
      for (const c of starterCases())
        for (const e of [...c.true_positive, ...c.benign, ...c.true_positive]) {
          const b = agentBody(c, e);
          const msg = buildMessage('retro', 'collector01', 'logs', ++seq, {
            line: b.line,
            event: b.event,
            source: { path: b.path, offset: seq },
            observed: new Date('2026-03-11T04:00:00Z'),
          });
          const r = normalize(JSON.stringify(msg));
          if (r.ok) docs.push(r.doc as Record<string, unknown>);
        }
      await es.bulk({
        refresh: true,
        operations: docs.flatMap((d) => [
          { create: { _index: events, _id: (d.event as { id: string }).id } },
          d,
        ]),
      });
    });
    afterAll(async () => {
      await deleteIndices(es, prefix);
      await es.close();
    });

    it('finds exactly what the streaming engine matches, writes retro alerts with progress, and a re-run changes nothing', async () => {
      const ix = socIndices(prefix);
      await ensureAlertIndices(es, ix);
      const store = new AlertStore(es, ix, 100);
      const from = new Date('2026-01-01T00:00:00Z');
      const to = new Date('2026-12-31T00:00:00Z');
      let hunted = 0;
      for (const rule of rs.rules.filter((r) => rs.correlation.emits(r))) {
        const expected = docs
          .filter((d) => rs.engine.match(d).includes(rule))
          .map((d) => (d.event as { id: string }).id);
        const progress: [number, number][] = [];
        const r = await retroHunt(es, store, rule, pipeline, {
          events,
          from,
          to,
          windowMs: 3_600_000,
          pageSize: 2,
          progress: (d, t) => progress.push([d, t]),
        });
        expect({ rule: rule.title, total: r.total }).toEqual({ rule: rule.title, total: expected.length });
        expect(progress.at(-1)).toEqual([expected.length, expected.length]);
        if (expected.length) hunted++;
      }
      expect(hunted).toBe(rs.rules.filter((r) => rs.correlation.emits(r)).length);
      await es.indices.refresh({ index: ix.alerts });
      const res = await es.search<{ retro: boolean; count: number; rule: { id: string } }>({
        index: ix.alerts,
        size: 100,
      });
      const alerts = res.hits.hits.map((h) => h._source!);
      expect(alerts.length).toBeGreaterThanOrEqual(hunted);
      expect(alerts.every((a) => a.retro)).toBe(true);
      // each true positive is in the archive twice with different ids: counted twice
      expect(alerts.every((a) => a.count >= 2)).toBe(true);
      // the re-run publishes what it touched, as the stream publishes: alerts.<level>.<rule id>, marked retro
      const nc = await connect({ servers: stackUrls!.natsUrl });
      const jsm = await jetstreamManager(nc);
      const stream = `RETRO_${prefix.replace(/-/g, '_').toUpperCase()}`;
      await jsm.streams.add({ name: stream, subjects: [`${prefix}.alerts.>`] });
      const rule = rs.rules.find((r) => ruleKey(r) === '6a748bf3-5db2-4de2-92fb-1d4f28c3b3a4')!;
      const again = await retroHunt(es, store, rule, pipeline, {
        events,
        from,
        to,
        windowMs: 3_600_000,
        publish: await retroAlertPublisher(nc, `${prefix}.alerts`),
      });
      expect(again.total).toBe(2);
      const msg = (await jsm.streams.getMessage(stream, { seq: 1 }))!;
      expect(msg.subject).toBe(`${prefix}.alerts.${rule.level}.${ruleKey(rule)}`);
      expect(msg.header?.get(RETRO_HEADER)).toBe('true');
      expect(msg.json()).toMatchObject({ retro: true, count: 2, rule: { id: ruleKey(rule) } });
      expect((await jsm.streams.info(stream)).state.messages).toBe(again.alerts);
      await jsm.streams.delete(stream);
      await nc.drain();
      await es.indices.refresh({ index: ix.alerts });
      const after = await es.search<{ count: number }>({ index: ix.alerts, size: 100 });
      expect(after.hits.hits.map((h) => h._source!.count).sort()).toEqual(alerts.map((a) => a.count).sort());
    });
  },
);

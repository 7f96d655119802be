import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { buildMessage } from '@soc/agent-shared';
import { jetstream, socIndices } from '@soc/core';
import { loadPipeline } from '@soc/sigma';
import { needsStack, stackUrls } from '@soc/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLane, deleteLane, type Lane, lane, startInProcess, waitForAlerts } from '../test/harness.ts';
import { importRules } from './import.ts';

const rule = (marker: string) => `title: Imported test rule
id: 0b9f2a4e-6c1d-4e55-9a51-3f0f6a2d7c11
status: test
logsource:
  category: webserver
detection:
  selection:
    cs-uri-stem|contains: '${marker}'
  condition: selection
level: high
`;

describe.skipIf(!stackUrls)(
  `soc rules import: a folder of Sigma rules into the rules index, picked up by detection${needsStack}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-import-'));
    let es: Client;
    let nc: NatsConnection;
    let l: Lane;
    beforeAll(async () => {
      es = new Client({ node: stackUrls!.elasticsearchUrl });
      nc = await connect({ servers: stackUrls!.natsUrl });
      l = lane('det-import', { rules: { paths: [join(dir, 'none')], reloadS: 3600 } });
      mkdirSync(join(dir, 'none'));
      mkdirSync(join(dir, 'pack'));
      writeFileSync(join(dir, 'pack/good.yml'), rule('/imported-v1/'));
      writeFileSync(
        join(dir, 'pack/broken.yml'),
        'title: broken\nlogsource: {product: linux}\ndetection:\n  sel: {a: [1\n',
      );
      writeFileSync(
        join(dir, 'pack/no-id.yml'),
        'title: no id\nlogsource: {product: linux}\ndetection:\n  sel: {a: 1}\n  condition: sel\n',
      );
    });
    afterAll(async () => {
      if (l) await deleteLane(nc, es, l);
      await es?.close();
      await nc?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('imports, reports the rejected and the id-less, is idempotent, versions a change; detection fires the imported rule', async () => {
      const ix = socIndices(l.prefix);
      const opts = { pipeline: loadPipeline('ecs'), enabled: true, user: 'test' };
      const progress: number[] = [];
      const first = await importRules(es, ix, [join(dir, 'pack')], {
        ...opts,
        progress: (d) => progress.push(d),
      });
      expect(first).toMatchObject({ files: 3, added: 1, updated: 0, unchanged: 0, withoutId: 1 });
      expect(first.rejected.length).toBeGreaterThan(0);
      expect(first.rejected.every((r) => r.includes('broken.yml:1: invalid YAML'))).toBe(true);
      expect(progress.at(-1)).toBe(3);
      expect(await importRules(es, ix, [join(dir, 'pack')], opts)).toMatchObject({
        added: 0,
        updated: 0,
        unchanged: 1,
      });
      writeFileSync(join(dir, 'pack/good.yml'), rule('/imported-v2/'));
      expect(await importRules(es, ix, [join(dir, 'pack')], opts)).toMatchObject({ updated: 1 });

      await createLane(nc, l);
      const { shutdown } = await startInProcess(nc, stackUrls!.elasticsearchUrl, l.config);
      try {
        const js = jetstream(nc);
        const lines = ['GET /imported-v1/a.php', 'GET /imported-v2/a.php'].map(
          (req, i) =>
            `203.0.113.${40 + i} - - [11/Mar/2026:10:48:00 +0700] "${req} HTTP/1.1" 200 24 "-" "curl/8"`,
        );
        let seq = 0;
        for (const line of lines) {
          const msg = buildMessage(l.agent, 'web01', 'nginx', ++seq, {
            line,
            source: { path: '/var/log/nginx/access.log', offset: seq },
          });
          const h = headers();
          h.set('Nats-Msg-Id', msg.id);
          await js.publish(`telemetry.${l.agent}.nginx`, JSON.stringify(msg), { headers: h });
        }
        const got = await waitForAlerts(es, l.prefix, (a) => a.length >= 1);
        expect(got.map((a) => [a.rule.title, a.rule.version, a.entities.source?.ip])).toEqual([
          ['Imported test rule', 2, '203.0.113.41'],
        ]);
      } finally {
        await shutdown.run('test done');
      }
    });
  },
);

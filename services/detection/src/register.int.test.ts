import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { createLogger, type RuleState, socIndices } from '@soc/core';
import { loadPipeline } from '@soc/sigma';
import { needsStack, stackUrls } from '@soc/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleSource } from './rule-source.ts';
import { ensureAlertIndices } from './store.ts';

const rule = (id: string, marker: string) => `title: File rule ${marker}
id: ${id}
status: test
logsource:
  category: webserver
detection:
  selection:
    cs-uri-stem|contains: '${marker}'
  condition: selection
level: high
`;
const A = '5d0c6a1e-0f4b-4c51-9a0e-2b7c1f3e9a01';
const B = '5d0c6a1e-0f4b-4c51-9a0e-2b7c1f3e9a02';

describe.skipIf(!stackUrls)(
  `file rules registered in the rules index (listed by the API, switchable, the file authoritative)${needsStack}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-register-'));
    const ix = socIndices(`regtest-${process.pid}`);
    let es: Client;
    const logger = createLogger({ service: 'test', level: 'silent' });
    const states = async () => {
      await es.indices.refresh({ index: ix.rules });
      const r = await es.search<RuleState>({ index: ix.rules, size: 100, query: { match_all: {} } });
      return new Map(r.hits.hits.map((h) => [h._id!, h._source!]));
    };
    const source = () => new RuleSource(es, ix.rules, [dir], loadPipeline('ecs'), logger);
    beforeAll(async () => {
      es = new Client({ node: stackUrls!.elasticsearchUrl });
      await ensureAlertIndices(es, ix);
      writeFileSync(join(dir, 'a.yml'), rule(A, '/a-v1/'));
      writeFileSync(join(dir, 'b.yml'), rule(B, '/b-v1/'));
    });
    afterAll(async () => {
      await es.indices.delete({ index: [ix.rules, ix.alertsConcrete], ignore_unavailable: true });
      await es.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('registers, leaves unchanged files alone, versions a change keeping enabled/exceptions, never overwrites an API edit', async () => {
      const first = (await source().poll(true))!;
      expect(first.rules.map((r) => r.id).sort()).toEqual([A, B]);
      let s = await states();
      expect(s.get(A)).toMatchObject({ file: expect.stringMatching(/a\.yml$/), enabled: true, version: 1 });

      // Unchanged: nothing written, same versions.
      await source().poll(true);
      expect((await states()).get(A)!.version).toBe(1);

      // An analyst switches A off and edits B's text through the API (no `file` then).
      await es.update({ index: ix.rules, id: A, doc: { enabled: false, version: 2 }, refresh: true });
      const edited = { ...s.get(B)!, source: rule(B, '/b-edited/'), version: 2 };
      delete edited.file;
      await es.index({ index: ix.rules, id: B, document: edited, refresh: true });

      // The file of A changes: a new version, still off; B's file changes: the API edit stays.
      writeFileSync(join(dir, 'a.yml'), rule(A, '/a-v2/'));
      writeFileSync(join(dir, 'b.yml'), rule(B, '/b-v2/'));
      const second = (await source().poll(true))!;
      s = await states();
      expect(s.get(A)).toMatchObject({ enabled: false, version: 3 });
      expect(s.get(A)!.source).toContain('/a-v2/');
      expect(s.get(B)!.source).toContain('/b-edited/');
      expect(s.get(B)!.file).toBeUndefined();
      // A is off; B runs with the analyst's text.
      expect(second.rules.map((r) => r.id)).toEqual([B]);
      expect(JSON.stringify(second.rules[0]!.doc)).toContain('/b-edited/');

      // A's file is deleted: its registration no longer loads a rule.
      rmSync(join(dir, 'a.yml'));
      await es.update({ index: ix.rules, id: A, doc: { enabled: true, version: 4 }, refresh: true });
      const third = (await source().poll(true))!;
      expect(third.rules.map((r) => r.id)).toEqual([B]);
    });
  },
);

/**
 * The streaming engine and the Elasticsearch backend agree: events indexed in the real
 * Elasticsearch (ELASTICSEARCH_URL) with the mapping contract, every applicable rule run both
 * ways (engine with the ecs pipeline, query from `ruleQuery`), identical hit sets by doc id.
 * Rules: the hand-written cases, and every SigmaHQ rule ($SIGMA_CORPUS) whose logsource the
 * ecs pipeline knows, with events synthesised from the rules' own values and near-misses.
 * Talks to Elasticsearch over plain HTTP (fetch): the engine library takes no client dependency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, hasCorpus, loadCorpus } from '../../../test/corpus.ts';
import { SigmaEngine } from '../../engine.ts';
import { loadPipeline } from '../../pipeline/load.ts';
import { parseSigmaText } from '../../rule/load.ts';
import type { SigmaRule } from '../../rule/model.ts';
import { HAND_EVENTS, HAND_RULES } from './agreement-cases.ts';
import { type Doc, eventsForRule } from './agreement-corpus.ts';
import { ruleQuery, UnsupportedError } from './index.ts';
import { indexMappings, indexSettings } from './mapping.ts';

const ES = process.env.ELASTICSEARCH_URL?.replace(/\/$/, '');
const INDEX = `sigma-agreement-${process.pid}-${Date.now().toString(36)}`;
/** Rules the backend may reject, at most (fieldref, \b, …; see the README). */
const MAX_REJECTED = 25;

interface EsReply {
  items: { index: { _id: string; error?: unknown } }[];
  responses: { error?: { root_cause?: unknown[] }; hits?: { hits: { _id: string }[] } }[];
}

async function es(method: string, path: string, body?: unknown, ndjson = false): Promise<EsReply> {
  const res = await fetch(`${ES}${path}`, {
    method,
    headers: { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
    body: body === undefined ? undefined : ndjson ? (body as string) : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 400 && !(method === 'DELETE' && res.status === 404)) {
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 500)}`);
  }
  return json as EsReply;
}

interface Case {
  label: string;
  rule: SigmaRule;
}

const pipeline = loadPipeline('ecs');

/** A value for every `%placeholder%` the rules use, so that `expand` rules are compared too. */
function placeholdersOf(rules: SigmaRule[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rules) {
    for (const m of JSON.stringify(r.detection).matchAll(/%(\w+)%/g)) out[m[1]!] = [`${m[1]}-a`, 'pl*ce'];
  }
  return out;
}

function handRules(): Case[] {
  return HAND_RULES.flatMap((text, i) =>
    parseSigmaText(text, `hand-${i}.yml`).documents.map((rule) => ({
      label: `hand: ${rule.title}`,
      rule: rule as SigmaRule,
    })),
  );
}

function corpusRules(): Case[] {
  if (!hasCorpus) return [];
  return loadCorpus()
    .documents.filter((d): d is SigmaRule => d.kind === 'rule')
    .map((rule) => ({ label: `${rule.title} (${rule.origin.file.slice(CORPUS.length + 1)})`, rule }));
}

describe.skipIf(!ES)(
  `Elasticsearch backend agrees with the engine${ES ? '' : ' [skipped: ELASTICSEARCH_URL is not set; run `npm test` or `soc stack up`]'}`,
  () => {
    const compared: { c: Case; query: unknown; index: number }[] = [];
    const rejected = new Map<string, string[]>();
    const compile: { placeholders?: Record<string, string[]> } = {};
    const docs: Doc[] = [];
    let noSource = 0;

    beforeAll(async () => {
      if (!hasCorpus)
        console.warn(`agreement: no SigmaHQ corpus at ${CORPUS} (set SIGMA_CORPUS): hand-written cases only`);
      const cases = [...handRules(), ...corpusRules()];
      compile.placeholders = placeholdersOf(cases.map((c) => c.rule));
      docs.push(...HAND_EVENTS);
      cases.forEach((c, i) => {
        try {
          const query = ruleQuery(c.rule, pipeline, { compile });
          compared.push({ c, query, index: compared.length });
          if (!c.label.startsWith('hand:'))
            docs.push(...eventsForRule(c.rule, pipeline, i + 1, compile.placeholders));
        } catch (err) {
          if (err instanceof UnsupportedError && err.reason === 'no-source') noSource++;
          else {
            const reason =
              err instanceof UnsupportedError ? err.reason : 'invalid rule (engine rejects it too)';
            rejected.set(reason, [...(rejected.get(reason) ?? []), `${c.label}: ${(err as Error).message}`]);
          }
        }
      });
      await es('DELETE', `/${INDEX}`);
      await es('PUT', `/${INDEX}`, {
        settings: {
          ...indexSettings,
          number_of_shards: 1,
          number_of_replicas: 0,
          refresh_interval: -1,
          'index.max_result_window': 200_000,
          'index.mapping.total_fields.limit': 20_000,
        },
        mappings: indexMappings,
      });
      for (let i = 0; i < docs.length; i += 2000) {
        const lines = docs
          .slice(i, i + 2000)
          .flatMap((d, j) => [JSON.stringify({ index: { _id: String(i + j) } }), JSON.stringify(d)]);
        const res = await es('POST', `/${INDEX}/_bulk`, `${lines.join('\n')}\n`, true);
        for (const item of res.items) {
          if (item.index.error)
            throw new Error(`doc ${item.index._id}: ${JSON.stringify(item.index.error).slice(0, 300)}`);
        }
      }
      await es('POST', `/${INDEX}/_refresh`);
    }, 120_000);

    afterAll(async () => {
      if (ES) await es('DELETE', `/${INDEX}`);
    });

    it('finds the same events for every rule, both ways', async () => {
      const engine = new SigmaEngine({ pipeline, compile });
      for (const { c } of compared) engine.add(c.rule);
      const streamHits = compared.map(() => new Set<string>());
      const position = new Map(compared.map((x) => [x.c.rule, x.index]));
      docs.forEach((d, id) => {
        for (const rule of engine.match(d)) streamHits[position.get(rule)!]!.add(String(id));
      });

      const esHits: Set<string>[] = [];
      const esErrors: string[] = [];
      for (let i = 0; i < compared.length; i += 100) {
        const batch = compared.slice(i, i + 100);
        const body = batch.flatMap(({ query }) => [
          JSON.stringify({}),
          JSON.stringify({ query, size: 100_000, _source: false, track_total_hits: true }),
        ]);
        const res = await es(
          'POST',
          `/${INDEX}/_msearch?max_concurrent_searches=4`,
          `${body.join('\n')}\n`,
          true,
        );
        res.responses.forEach((r, j) => {
          if (r.error)
            esErrors.push(
              `${batch[j]!.c.label}: ${JSON.stringify(r.error.root_cause?.[0] ?? r.error).slice(0, 300)}`,
            );
          esHits.push(new Set((r.hits?.hits ?? []).map((h) => h._id)));
        });
      }

      const disagreements: string[] = [];
      let agreed = 0;
      let firing = 0;
      compared.forEach(({ c }, i) => {
        const a = streamHits[i]!;
        const b = esHits[i]!;
        if (a.size > 0) firing++;
        const onlyStream = [...a].filter((id) => !b.has(id));
        const onlyEs = [...b].filter((id) => !a.has(id));
        if (onlyStream.length || onlyEs.length) {
          disagreements.push(
            `${c.label}: stream only ${JSON.stringify(onlyStream.slice(0, 3).map((id) => docs[Number(id)]))}` +
              ` es only ${JSON.stringify(onlyEs.slice(0, 3).map((id) => docs[Number(id)]))}`,
          );
        } else agreed += a.size;
      });

      const byReason = [...rejected].map(
        ([reason, list]) => `  ${reason}: ${list.length}\n    ${list.join('\n    ')}`,
      );
      console.log(
        [
          `agreement: ${docs.length} events, ${compared.length} rules compared (${firing} fire on some event),`,
          `${agreed} hits agreed, ${disagreements.length} rules disagree, ${esErrors.length} queries failed in Elasticsearch,`,
          `${noSource} rules without an ecs source, ${[...rejected.values()].flat().length} rejected:`,
          ...byReason,
        ].join('\n'),
      );
      if (esErrors.length) console.log(`queries Elasticsearch refused:\n  ${esErrors.join('\n  ')}`);
      if (disagreements.length) console.log(`disagreements:\n  ${disagreements.join('\n  ')}`);
      expect(esErrors).toEqual([]);
      expect(disagreements).toEqual([]);
      const unsupported = [...rejected].filter(([reason]) => !reason.startsWith('invalid'));
      expect(unsupported.flatMap(([, list]) => list).length).toBeLessThanOrEqual(MAX_REJECTED);
      expect(firing).toBeGreaterThan(hasCorpus ? 1000 : 20);
    }, 300_000);
  },
);

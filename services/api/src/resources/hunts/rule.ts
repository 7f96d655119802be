import { type CorrelationHuntPlan, loadHuntPool, planCorrelationHunt } from '@soc/detection/retro';
import { loadPipeline, type Pipeline, parseSigmaText, type SigmaRule } from '@soc/sigma';
import { ruleQuery, UnsupportedError } from '@soc/sigma/elasticsearch';
import type { Client } from '../../store/es.ts';

const pipelines = new Map<string, Pipeline>();
export function huntPipeline(name: string): Pipeline {
  let p = pipelines.get(name);
  if (!p) {
    p = loadPipeline(name);
    pipelines.set(name, p);
  }
  return p;
}

/** What a hunt runs: one rule as one query, or a correlation over the queries of its rules. */
export type HuntTarget =
  | { kind: 'rule'; rule: SigmaRule }
  | { kind: 'correlation'; plan: CorrelationHuntPlan };

/**
 * A stored rule's Sigma source as something the Elasticsearch backend can search: refused
 * (with the backend's reason) before a job is queued, rather than failing in the background.
 * A correlation is resolved against the enabled rules of the rules index (through its chains),
 * and each rule it refers to must be searchable.
 */
export async function huntTarget(
  es: Client,
  rulesIndex: string,
  source: string,
  pipeline: Pipeline,
): Promise<HuntTarget | { error: string }> {
  const loaded = parseSigmaText(source, 'rules-index');
  const doc = loaded.documents[0];
  if (!doc) return { error: 'the stored rule does not parse' };
  if (doc.kind === 'correlation') {
    const plan = planCorrelationHunt(doc, await loadHuntPool(es, rulesIndex, doc), pipeline);
    return 'error' in plan ? plan : { kind: 'correlation', plan };
  }
  if (doc.kind !== 'rule') return { error: `a ${doc.kind} rule cannot be retro-hunted` };
  try {
    ruleQuery(doc, pipeline);
  } catch (err) {
    if (err instanceof UnsupportedError)
      return {
        error: `the rule cannot be searched in Elasticsearch (${err.reason}${err.path ? ` at ${err.path}` : ''}): ${err.message}`,
      };
    throw err;
  }
  return { kind: 'rule', rule: doc };
}

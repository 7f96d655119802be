import { loadPipeline, type Pipeline, parseSigmaText, type SigmaRule } from '@soc/sigma';
import { ruleQuery, UnsupportedError } from '@soc/sigma/elasticsearch';

const pipelines = new Map<string, Pipeline>();
export function huntPipeline(name: string): Pipeline {
  let p = pipelines.get(name);
  if (!p) {
    p = loadPipeline(name);
    pipelines.set(name, p);
  }
  return p;
}

/**
 * A stored rule's Sigma source as something the Elasticsearch backend can search: refused
 * (with the backend's reason) before a job is queued, rather than failing in the background.
 * Correlation rules are not hunted yet (detection's README, "Not yet").
 */
export function huntableRule(source: string, pipeline: Pipeline): { rule: SigmaRule } | { error: string } {
  const loaded = parseSigmaText(source, 'rules-index');
  const doc = loaded.documents[0];
  if (!doc) return { error: 'the stored rule does not parse' };
  if (doc.kind !== 'rule') return { error: `a ${doc.kind} rule cannot be retro-hunted yet` };
  try {
    ruleQuery(doc, pipeline);
  } catch (err) {
    if (err instanceof UnsupportedError)
      return {
        error: `the rule cannot be searched in Elasticsearch (${err.reason}${err.path ? ` at ${err.path}` : ''}): ${err.message}`,
      };
    throw err;
  }
  return { rule: doc };
}

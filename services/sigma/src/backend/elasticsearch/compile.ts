/**
 * A Sigma rule as one Elasticsearch query, through a logsource pipeline: the rule's detection
 * with the field names of each pipeline source it stands for, restricted to the events of
 * those sources, exactly as the streaming engine (../../engine.ts) would match them.
 */
import { compileDetection, PredicateCache } from '../../detection/compile.ts';
import { type ConditionNode, parseCondition, resolveCondition } from '../../detection/condition.ts';
import { SigmaError } from '../../detection/types.ts';
import type { CompileOptions } from '../../detection/values.ts';
import { fieldResolver } from '../../pipeline/fields.ts';
import { sourcesFor } from '../../pipeline/route.ts';
import type { Pipeline, SourceId } from '../../pipeline/types.ts';
import type { SigmaRule } from '../../rule/model.ts';
import { allOf, anyOf, not, type Query } from './dsl.ts';
import { UnsupportedError, unsupported } from './errors.ts';
import { fieldQuery, type Paths } from './field.ts';
import { sourceFilter } from './source.ts';

export interface EsCompileOptions {
  /** Placeholder values for `expand`, as for the engine. */
  compile?: CompileOptions;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

function mapQuery(map: Record<string, unknown>, path: string, paths: Paths, opts: CompileOptions): Query {
  return allOf(
    Object.entries(map).map(([key, value]) => {
      const [field = '', ...modifiers] = key.split('|');
      try {
        return fieldQuery(
          { field: field === '' ? undefined : field, modifiers, values: asList(value) },
          paths,
          opts,
        );
      } catch (err) {
        if (err instanceof UnsupportedError) throw err.at(`${path}.${key}`);
        throw err;
      }
    }),
  );
}

/** One search identifier: a map (AND), a list of maps (OR), or keywords. */
function searchQuery(value: unknown, path: string, paths: Paths, opts: CompileOptions): Query {
  if (isMapping(value)) return mapQuery(value, path, paths, opts);
  if (Array.isArray(value) && value.every(isMapping)) {
    return anyOf(value.map((m, i) => mapQuery(m as Record<string, unknown>, `${path}[${i}]`, paths, opts)));
  }
  try {
    return fieldQuery({ field: undefined, modifiers: [], values: asList(value) }, paths, opts);
  } catch (err) {
    if (err instanceof UnsupportedError) throw err.at(path);
    throw err;
  }
}

function conditionQuery(node: ConditionNode, searches: Map<string, Query>): Query {
  switch (node.type) {
    case 'ref':
      return searches.get(node.name)!;
    case 'not':
      return not(conditionQuery(node.operand, searches));
    case 'and':
      return allOf(node.operands.map((n) => conditionQuery(n, searches)));
    case 'or':
      return anyOf(node.operands.map((n) => conditionQuery(n, searches)));
    case 'of':
      throw new Error('internal: unresolved "of"');
  }
}

/**
 * A detection section as a query, with `paths` naming where each Sigma field is found. The
 * detection must be valid (compile it with the engine first: it throws the SigmaError).
 */
export function detectionQuery(
  detection: Record<string, unknown>,
  paths: Paths,
  opts: CompileOptions = {},
): Query {
  const identifiers = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
  const searches = new Map<string, Query>();
  for (const id of identifiers) searches.set(id, searchQuery(detection[id], `detection.${id}`, paths, opts));
  const conditions = asList(detection.condition) as string[];
  return anyOf(
    conditions.map((text) => conditionQuery(resolveCondition(parseCondition(text), identifiers), searches)),
  );
}

/**
 * Most multi-term leaves (wildcard, prefix, regexp, case-insensitive term) in one query:
 * Elasticsearch builds an automaton for each, and refuses (circuit breaker) queries such as
 * SigmaHQ's hash lists of several hundred values on five fields.
 */
export const MAX_PATTERN_CLAUSES = 3000;

function patternClauses(q: unknown): number {
  if (Array.isArray(q)) return q.reduce((n: number, x) => n + patternClauses(x), 0);
  if (typeof q !== 'object' || q === null) return 0;
  let n = 0;
  for (const [k, v] of Object.entries(q)) {
    if (k === 'wildcard' || k === 'prefix' || k === 'regexp') n++;
    else if (k === 'term' && JSON.stringify(v).includes('"case_insensitive":true')) n++;
    else n += patternClauses(v);
  }
  return n;
}

/**
 * The query of a rule through a pipeline. Throws SigmaError when the rule is invalid (as the
 * engine would reject it) and UnsupportedError when it cannot be expressed exactly, or when
 * the pipeline has no source for its logsource.
 */
export function ruleQuery(rule: SigmaRule, pipeline: Pipeline, options: EsCompileOptions = {}): Query {
  const q = buildRuleQuery(rule, pipeline, options);
  const n = patternClauses(q);
  if (n > MAX_PATTERN_CLAUSES) {
    unsupported(
      'too-large',
      `the query would hold ${n} pattern clauses (more than ${MAX_PATTERN_CLAUSES}); Elasticsearch builds an automaton for each and refuses it`,
    );
  }
  return q;
}

function buildRuleQuery(rule: SigmaRule, pipeline: Pipeline, options: EsCompileOptions): Query {
  const opts = options.compile ?? {};
  compileDetection(rule.detection, new PredicateCache(), opts); // the engine's validation
  const sources = sourcesFor(pipeline, rule.logsource);
  if (sources.length === 0) {
    const ls = Object.entries(rule.logsource)
      .filter(([k]) => k !== 'definition')
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join(', ');
    unsupported('no-source', `pipeline ${pipeline.name} has no source for logsource {${ls}}`);
  }
  // One detection query per distinct field resolver (most sources share the global one).
  const byResolver = new Map<Paths, Query>();
  const detectionOf = (s: SourceId): Query => {
    const resolver = fieldResolver(pipeline, s);
    let q = byResolver.get(resolver);
    if (!q) {
      q = detectionQuery(rule.detection, resolver, opts);
      byResolver.set(resolver, q);
    }
    return q;
  };
  const detections = sources.map((s) => ({ s, d: detectionOf(s), key: '' }));
  for (const x of detections) x.key = JSON.stringify(x.d);
  // The engine reports a rule for an event when its detection holds under the field names of
  // any of the rule's sources the event belongs to: one clause per distinct detection.
  return anyOf(
    [...new Set(detections.map((x) => x.key))].map((key) => {
      const group = detections.filter((x) => x.key === key);
      return allOf([anyOf(group.map(({ s }) => sourceFilter(pipeline.sources[s]!))), group[0]!.d]);
    }),
  );
}

export { SigmaError };

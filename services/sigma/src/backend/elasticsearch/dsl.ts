/**
 * The small part of the Elasticsearch Query DSL the backend emits, and constructors that keep
 * the generated bool trees flat. Queries are plain JSON objects (what the official client's
 * `search({ query })` takes).
 */

export type Query = Record<string, unknown>;

export const MATCH_ALL: Query = { match_all: {} };
export const MATCH_NONE: Query = { match_none: {} };

const isNone = (q: Query): boolean => 'match_none' in q;
const isAll = (q: Query): boolean => 'match_all' in q;

interface BoolBody {
  filter?: Query[];
  should?: Query[];
  must_not?: Query[];
  minimum_should_match?: number;
}

function boolOf(q: Query): BoolBody | undefined {
  const keys = Object.keys(q);
  return keys.length === 1 && keys[0] === 'bool' ? (q.bool as BoolBody) : undefined;
}

/** Any of the queries (none: matches nothing). */
export function anyOf(queries: readonly Query[]): Query {
  const out: Query[] = [];
  const seen = new Set<string>();
  for (const q of queries) {
    if (isAll(q)) return MATCH_ALL;
    if (isNone(q)) continue;
    const b = boolOf(q);
    const parts = b?.should && !b.filter && !b.must_not && b.minimum_should_match === 1 ? b.should : [q];
    for (const p of parts) {
      const key = JSON.stringify(p);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(p);
      }
    }
  }
  if (out.length === 0) return MATCH_NONE;
  if (out.length === 1) return out[0]!;
  return { bool: { should: out, minimum_should_match: 1 } };
}

/** All of the queries, in filter context (no scoring; none: matches everything). */
export function allOf(queries: readonly Query[]): Query {
  const filter: Query[] = [];
  const mustNot: Query[] = [];
  for (const q of queries) {
    if (isNone(q)) return MATCH_NONE;
    if (isAll(q)) continue;
    const b = boolOf(q);
    if (b && !b.should) {
      filter.push(...(b.filter ?? []));
      mustNot.push(...(b.must_not ?? []));
    } else filter.push(q);
  }
  if (filter.length === 1 && mustNot.length === 0) return filter[0]!;
  if (filter.length === 0 && mustNot.length === 0) return MATCH_ALL;
  return {
    bool: { ...(filter.length > 0 && { filter }), ...(mustNot.length > 0 && { must_not: mustNot }) },
  };
}

/** The documents the query does not match. */
export function not(q: Query): Query {
  if (isNone(q)) return MATCH_ALL;
  if (isAll(q)) return MATCH_NONE;
  const b = boolOf(q);
  // not(not x) = x
  if (b?.must_not?.length === 1 && !b.filter && !b.should) return b.must_not[0]!;
  if (b?.should && !b.filter && !b.must_not && b.minimum_should_match === 1) {
    return { bool: { must_not: b.should } };
  }
  return { bool: { must_not: [q] } };
}

export const exists = (field: string): Query => ({ exists: { field } });

export function term(field: string, value: string | number, caseInsensitive = false): Query {
  return { term: { [field]: caseInsensitive ? { value, case_insensitive: true } : { value } } };
}

export function prefix(field: string, value: string, caseInsensitive: boolean): Query {
  return { prefix: { [field]: caseInsensitive ? { value, case_insensitive: true } : { value } } };
}

export function wildcard(field: string, value: string, caseInsensitive: boolean): Query {
  return { wildcard: { [field]: caseInsensitive ? { value, case_insensitive: true } : { value } } };
}

/**
 * Lucene's limit on the states of a determinized regexp, raised from its default (10,000) for
 * the counted repeats of SigmaHQ regexes (`[^ ]{1,64}` after `.*`).
 */
export const MAX_DETERMINIZED_STATES = 100_000;

/** A Lucene regular expression (anchored at both ends), with no optional operators enabled. */
export function regexp(field: string, value: string): Query {
  return { regexp: { [field]: { value, flags: 'NONE', max_determinized_states: MAX_DETERMINIZED_STATES } } };
}

export function range(field: string, op: 'lt' | 'lte' | 'gt' | 'gte', value: number): Query {
  return { range: { [field]: { [op]: value } } };
}

import { z } from '@hono/zod-openapi';

/**
 * The search language of the events API, as data. Free text goes to `simple_query_string`,
 * which has no field-level syntax for scripts, regexes on arbitrary fields or range abuse
 * and never fails on bad syntax (unlike `query_string`); structured filters are typed
 * clauses built here, never concatenated text. Everything is ANDed under the caller's
 * organisation filter, so no input can widen what the caller sees.
 */

/** ECS-style dotted names only: no wildcards, no scripts, no `_source`-style internals. */
export const fieldName = z
  .string()
  .regex(/^[A-Za-z@][A-Za-z0-9_@]*(\.[A-Za-z0-9_@]+){0,9}$/, 'a dotted field name (letters, digits, _ and @)')
  .max(200);

const scalar = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const filterSchema = z.discriminatedUnion('op', [
  z.strictObject({ field: fieldName, op: z.literal('eq'), value: scalar }),
  z.strictObject({ field: fieldName, op: z.literal('neq'), value: scalar }),
  z.strictObject({ field: fieldName, op: z.literal('in'), value: z.array(scalar).min(1).max(1000) }),
  z.strictObject({ field: fieldName, op: z.literal('exists') }),
  z.strictObject({ field: fieldName, op: z.literal('missing') }),
  z.strictObject({ field: fieldName, op: z.literal('prefix'), value: z.string().min(1).max(200) }),
  z.strictObject({
    field: fieldName,
    op: z.literal('range'),
    gte: z.union([z.number(), z.string().max(64)]).optional(),
    lte: z.union([z.number(), z.string().max(64)]).optional(),
  }),
]);
export type Filter = z.infer<typeof filterSchema>;

export const timeRange = {
  /** ISO 8601 or Elasticsearch date math relative to now (`now-24h`). */
  from: z
    .string()
    .max(64)
    .regex(
      /^(now(-\d{1,6}[smhdwMy])?(\/[smhdwMy])?|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)$/,
      'ISO 8601 or now-<n><unit>',
    )
    .default('now-24h'),
  to: z
    .string()
    .max(64)
    .regex(
      /^(now(-\d{1,6}[smhdwMy])?(\/[smhdwMy])?|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)$/,
      'ISO 8601 or now-<n><unit>',
    )
    .default('now'),
};

export const baseQuery = {
  query: z
    .string()
    .max(2000)
    .optional()
    .describe('free text: simple_query_string syntax (+ - | " * ~ and ( ))'),
  filters: z.array(filterSchema).max(50).default([]),
  ...timeRange,
};
export const BaseQuery = z.strictObject(baseQuery);
export type BaseQueryInput = z.infer<typeof BaseQuery>;

function clause(f: Filter): { must?: object; mustNot?: object } {
  switch (f.op) {
    case 'eq':
      return { must: { term: { [f.field]: f.value } } };
    case 'neq':
      return { mustNot: { term: { [f.field]: f.value } } };
    case 'in':
      return { must: { terms: { [f.field]: f.value } } };
    case 'exists':
      return { must: { exists: { field: f.field } } };
    case 'missing':
      return { mustNot: { exists: { field: f.field } } };
    case 'prefix':
      return { must: { prefix: { [f.field]: { value: f.value } } } };
    case 'range':
      return {
        must: {
          range: {
            [f.field]: {
              ...(f.gte !== undefined ? { gte: f.gte } : {}),
              ...(f.lte !== undefined ? { lte: f.lte } : {}),
            },
          },
        },
      };
  }
}

/** The bool query for a request, with the scope filters (organisation) the server adds. */
export function buildQuery(q: BaseQueryInput, scope: object[], timeField = '@timestamp'): object {
  const filter: object[] = [...scope, { range: { [timeField]: { gte: q.from, lte: q.to } } }];
  const mustNot: object[] = [];
  for (const f of q.filters) {
    const c = clause(f);
    if (c.must) filter.push(c.must);
    if (c.mustNot) mustNot.push(c.mustNot);
  }
  const must: object[] = [];
  if (q.query?.trim())
    must.push({
      simple_query_string: {
        query: q.query,
        default_operator: 'and',
        lenient: true,
        // No fuzzy/slop expansion storms; prefix and phrase stay.
        flags: 'AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|ESCAPE|WHITESPACE',
      },
    });
  return { bool: { filter, must, must_not: mustNot } };
}

import { z } from '@hono/zod-openapi';
import { ALERT_LEVELS, ALERT_STATUSES } from '@soc/core';
import { cursorParam } from '../../http/cursor.ts';
import { idSchema } from '../../http/schemas.ts';
import { orgFilter, type Principal } from '../../rbac/principal.ts';

/** `a,b,c` in one query parameter → a validated list. */
const csv = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .max(500)
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)).max(values.length));

const SORTS = {
  last_seen: 'last_seen',
  first_seen: 'first_seen',
  severity: 'rule.severity',
  count: 'count',
  security_level: 'security_level',
} as const;

const isoOrMath = z
  .string()
  .max(64)
  .regex(
    /^(now(-\d{1,6}[smhdwMy])?|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)$/,
    'ISO 8601 or now-<n><unit>',
  );

export const AlertQuery = z.strictObject({
  status: csv(ALERT_STATUSES).optional(),
  level: csv(ALERT_LEVELS).optional(),
  rule_id: idSchema.optional(),
  /** A user id, `me`, or `none` for unassigned. */
  assignee: z.string().max(254).optional(),
  organization_id: idSchema.optional(),
  system_id: idSchema.optional(),
  security_level_gte: z.coerce.number().int().min(1).max(5).optional(),
  host: z.string().max(255).optional(),
  user: z.string().max(255).optional(),
  ip: z.union([z.ipv4(), z.ipv6()]).optional(),
  technique: z
    .string()
    .regex(/^T\d{4}(\.\d{3})?$/)
    .optional(),
  retro: z.enum(['true', 'false']).optional(),
  q: z.string().max(500).optional(),
  from: isoOrMath.optional(),
  to: isoOrMath.optional(),
  sort: z.enum(Object.keys(SORTS) as [keyof typeof SORTS, ...(keyof typeof SORTS)[]]).default('last_seen'),
  order: z.enum(['asc', 'desc']).default('desc'),
  size: z.coerce.number().int().min(1).max(500).default(50),
  cursor: cursorParam.optional(),
});
export type AlertQueryInput = z.infer<typeof AlertQuery>;

/** The alert queue's query: the caller's scope first, then each filter (all ANDed, none widening). */
export function alertQuery(q: AlertQueryInput, p: Principal): { query: object; sort: object[] } {
  const f: object[] = [...orgFilter(p, 'organization.id')];
  if (q.status?.length) f.push({ terms: { status: q.status } });
  if (q.level?.length) f.push({ terms: { 'rule.level': q.level } });
  if (q.rule_id) f.push({ term: { 'rule.id': q.rule_id } });
  if (q.assignee === 'none') f.push({ bool: { must_not: { exists: { field: 'assignee.id' } } } });
  else if (q.assignee) f.push({ term: { 'assignee.id': q.assignee === 'me' ? p.id : q.assignee } });
  if (q.organization_id) f.push({ term: { 'organization.id': q.organization_id } });
  if (q.system_id) f.push({ term: { 'system.id': q.system_id } });
  if (q.security_level_gte) f.push({ range: { security_level: { gte: q.security_level_gte } } });
  if (q.host) f.push({ term: { 'entities.host.name': q.host } });
  if (q.user) f.push({ term: { 'entities.user.name': q.user } });
  if (q.ip)
    f.push({
      bool: {
        should: [
          { term: { 'entities.source.ip': q.ip } },
          { term: { 'entities.destination.ip': q.ip } },
          { term: { 'entities.host.ip': q.ip } },
        ],
        minimum_should_match: 1,
      },
    });
  if (q.technique) f.push({ term: { 'rule.attack.techniques': q.technique } });
  if (q.retro) f.push({ term: { retro: q.retro === 'true' } });
  if (q.from || q.to)
    f.push({ range: { last_seen: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lte: q.to } : {}) } } });
  const must = q.q
    ? [
        {
          simple_query_string: {
            query: q.q,
            fields: [
              'rule.title',
              'entities.host.name',
              'entities.user.name',
              'entities.process.command_line',
            ],
            default_operator: 'and',
            lenient: true,
            flags: 'AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|ESCAPE|WHITESPACE',
          },
        },
      ]
    : [];
  // `id` is unique, so search_after pages never skip or repeat an alert without a PIT.
  // Newest first among equals (severity has five values), then `id`.
  const sort =
    q.sort === 'severity' && q.order === 'desc'
      ? // The same order on one key (`severityRank`): Elasticsearch skips the alerts that cannot
        // make the page instead of comparing `last_seen` over every match of a severity.
        [{ severity_rank: { order: 'desc' } }, { id: { order: 'asc' } }]
      : [
          { [SORTS[q.sort]]: { order: q.order } },
          ...(q.sort === 'last_seen' ? [] : [{ last_seen: { order: 'desc' } }]),
          { id: { order: 'asc' } },
        ];
  return { query: { bool: { filter: f, must } }, sort };
}

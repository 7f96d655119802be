import { z } from 'zod';

/** Field constraints from the Sigma specification's JSON schemas (`../shared/sigma-spec/json-schema`). */
const date = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$/, 'must be a date YYYY-MM-DD');
const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');
const stringList = z.array(z.string());

export const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] as const;
export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;

export const logsourceSchema = z
  .object({
    category: z.string().optional(),
    product: z.string().optional(),
    service: z.string().optional(),
    definition: z.string().optional(),
  })
  .catchall(z.unknown());

const related = z.array(
  z
    .object({ id: uuid, type: z.enum(['derived', 'obsolete', 'merged', 'renamed', 'similar']) })
    .catchall(z.unknown()),
);

/** Metadata every kind of Sigma document shares. Unknown keys are allowed: the spec permits custom fields. */
const common = {
  title: z.string().min(1, 'must not be empty').max(256),
  id: uuid.optional(),
  name: z.string().max(256).optional(),
  taxonomy: z.string().max(256).optional(),
  status: z.enum(STATUSES).optional(),
  description: z.string().max(65535).optional(),
  license: z.string().optional(),
  author: z.string().optional(),
  references: stringList.optional(),
  date: date.optional(),
  modified: date.optional(),
  level: z.enum(LEVELS).optional(),
  tags: stringList.optional(),
  falsepositives: z.union([stringList, z.string()]).optional(),
};

export const detectionSchema = z
  .object({ condition: z.union([z.string(), z.array(z.string()).min(1)]) })
  .catchall(z.unknown())
  .refine((d) => Object.keys(d).some((k) => k !== 'condition' && k !== 'timeframe'), {
    message: 'needs at least one search identifier besides condition',
  });

export const ruleSchema = z
  .object({
    ...common,
    related: related.optional(),
    logsource: logsourceSchema,
    detection: detectionSchema,
    fields: z.array(z.string()).optional(),
    scope: stringList.optional(),
  })
  .catchall(z.unknown());

const timespan = z
  .string()
  .regex(/^\d+[smhdwMy]$/, 'must be a number and a unit s, m, h, d, w, M or y, e.g. 5m');
const comparison = z
  .object({
    gt: z.number(),
    gte: z.number(),
    lt: z.number(),
    lte: z.number(),
    eq: z.number(),
    neq: z.number(),
  })
  .partial()
  .extend({ field: z.union([z.string(), z.array(z.string())]).optional() })
  .strict()
  .refine(
    (c) => ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'].some((k) => k in c),
    'needs a comparison: gt, gte, lt, lte, eq or neq',
  );

export const CORRELATION_TYPES = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
  'value_median',
] as const;

export const correlationSchema = z
  .object({
    ...common,
    generate: z.boolean().optional(),
    correlation: z
      .object({
        type: z.enum(CORRELATION_TYPES),
        rules: z.union([z.string(), z.array(z.string()).min(1)]),
        'group-by': z.array(z.string()).optional(),
        timespan,
        condition: comparison.optional(),
        aliases: z.record(z.string(), z.record(z.string(), z.string())).optional(),
        generate: z.boolean().optional(),
      })
      .strict(),
  })
  .catchall(z.unknown())
  .superRefine((doc, ctx) => {
    const c = doc.correlation;
    const needsCondition = c.type !== 'temporal' && c.type !== 'temporal_ordered';
    if (needsCondition && !c.condition) {
      ctx.addIssue({
        code: 'custom',
        path: ['correlation', 'condition'],
        message: `a ${c.type} correlation needs a condition`,
      });
    }
    if (
      c.type !== 'event_count' &&
      c.type !== 'temporal' &&
      c.type !== 'temporal_ordered' &&
      !c.condition?.field
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['correlation', 'condition', 'field'],
        message: `a ${c.type} correlation needs condition.field`,
      });
    }
  });

export const filterSchema = z
  .object({
    ...common,
    logsource: logsourceSchema,
    filter: z
      .object({ rules: z.union([z.string(), z.array(z.string())]), condition: z.string() })
      .catchall(z.unknown()),
  })
  .catchall(z.unknown());

export type Logsource = z.output<typeof logsourceSchema>;
export type RuleDoc = z.output<typeof ruleSchema>;
export type CorrelationDoc = z.output<typeof correlationSchema>;
export type FilterDoc = z.output<typeof filterSchema>;

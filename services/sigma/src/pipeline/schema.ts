/** The shape of a pipeline YAML file (documented at the top of rules/pipelines/*.yml). */
import { z } from 'zod';

const name = z.string().trim().min(1, 'must not be empty');
const oneOrMany = z.union([name, z.array(name).min(1, 'must list at least one value')]);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const conditionValue = z.union(
  [scalar, z.array(scalar).min(1, 'must list at least one value'), z.strictObject({ exists: z.boolean() })],
  {
    error: 'a condition is a value, a list of values (any of) or { exists: true|false }',
  },
);

/** Sigma field → one event path or a list of them (the field's values are the union). */
const renames = z.record(name, oneOrMany);

const logsource = z
  .strictObject({
    category: oneOrMany.optional(),
    product: oneOrMany.optional(),
    service: oneOrMany.optional(),
  })
  .refine((ls) => ls.category !== undefined || ls.product !== undefined || ls.service !== undefined, {
    error: 'a logsource needs at least one of category, product, service',
  });

const entry = z.strictObject({
  id: name,
  description: z.string().optional(),
  logsource,
  conditions: z.record(name, conditionValue).default({}),
  fields: renames.default({}),
  fieldPrefixes: z.array(z.string()).optional(),
});

export const pipelineFile = z
  .strictObject({
    name,
    description: z.string().default(''),
    timeField: oneOrMany.optional(),
    fieldPrefixes: z.array(z.string()).default([]),
    fields: renames.default({}),
    /** Event paths keyword searches do not look at (a raw copy of the event, e.g. `event.original`). */
    keywordExclude: z.array(name).default([]),
    /** Ignored: where YAML anchors used by the entries are defined. */
    templates: z.unknown().optional(),
    logsources: z.array(entry).min(1, 'a pipeline needs at least one logsource entry'),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.logsources.forEach((e, i) => {
      if (seen.has(e.id))
        ctx.addIssue({ code: 'custom', message: `duplicate id '${e.id}'`, path: ['logsources', i, 'id'] });
      seen.add(e.id);
    });
  });

export type PipelineFile = z.infer<typeof pipelineFile>;
export type ConditionValue = z.infer<typeof conditionValue>;

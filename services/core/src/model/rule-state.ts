import { z } from 'zod';

/**
 * Rule state, one document per Sigma rule (`_id` = the rule's id): the API writes it,
 * detection (issue 6) reads it and reloads on change (`version` increases on every write).
 * Only `enabled` rules run; an event matching any `exceptions` entry raises no alert.
 */
export const ruleExceptionSchema = z.object({
  id: z.string(),
  /** ECS field of the event, dotted. */
  field: z.string().regex(/^[A-Za-z0-9_@][A-Za-z0-9_.@-]{0,199}$/),
  /** The exception applies when the field equals one of these (exact, case-sensitive). */
  values: z.array(z.string().max(1000)).min(1).max(1000),
  /** Limits the exception to one organisation's events; absent = everywhere. */
  organization_id: z.string().optional(),
  comment: z.string().max(2000).optional(),
  created_by: z.string(),
  created_at: z.iso.datetime(),
});

export const ruleStateSchema = z.object({
  id: z.string(),
  title: z.string(),
  level: z.string(),
  status: z.string().optional(),
  tags: z.array(z.string()).default([]),
  logsource: z.record(z.string(), z.string()).default({}),
  /** The Sigma YAML as written. */
  source: z.string(),
  /**
   * Set for a rule of the project's rule files (`rules.paths`), which detection registers
   * here so the API can list it, switch it off and give it exceptions: the file stays
   * authoritative for the rule's text. An edit through the API writes a state without it.
   */
  file: z.string().optional(),
  enabled: z.boolean(),
  exceptions: z.array(ruleExceptionSchema).default([]),
  version: z.number().int().min(1),
  updated_by: z.string(),
  updated_at: z.iso.datetime(),
});
export type RuleState = z.output<typeof ruleStateSchema>;
export type RuleException = z.output<typeof ruleExceptionSchema>;

const kw = { type: 'keyword' } as const;
export const RULE_STATE_MAPPING = {
  dynamic: 'strict',
  properties: {
    id: kw,
    title: { type: 'text', fields: { raw: kw } },
    level: kw,
    status: kw,
    tags: kw,
    logsource: { type: 'object', enabled: false },
    source: { type: 'text', index: false },
    file: kw,
    enabled: { type: 'boolean' },
    exceptions: { type: 'object', enabled: false },
    version: { type: 'integer' },
    updated_by: kw,
    updated_at: { type: 'date' },
  },
} as const;

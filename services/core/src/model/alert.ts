import { z } from 'zod';

/**
 * The alert document: the contract between detection (issue 6), which writes it, the API,
 * which reads it and changes its workflow fields, and cases (later), which link to it.
 *
 * Stored in the `alerts` alias of `socIndices()` with `_id` = `id`. Detection creates the
 * document (op_type create; a repeat of the same `group_key` within its window updates
 * `last_seen`, `count` and `events.ids` with optimistic concurrency — the integ-test
 * Elasticsearch has no scripting). The API changes only the workflow fields
 * (`status`, `close_reason`, `close_comment`, `assignee`, `updated_at`), also with
 * optimistic concurrency, so the two writers never overwrite each other's fields blindly.
 *
 * Per-organisation isolation reads `organization.id`: an alert without one (an event of an
 * unknown host) is visible only to users whose role spans every organisation.
 * Field names are snake_case like ECS; times are ISO 8601 UTC.
 */
export const ALERT_STATUSES = ['open', 'acknowledged', 'closed'] as const;
export const ALERT_CLOSE_REASONS = [
  'true_positive',
  'false_positive',
  'benign_positive',
  'duplicate',
  'other',
] as const;
/** Sigma levels, lowest first. */
export const ALERT_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;

const ref = z.object({ id: z.string().min(1), name: z.string().optional() });

export const alertRuleSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  level: z.enum(ALERT_LEVELS),
  /** `levelRank(level)`, 0–4: the queue sorts by severity on this (a keyword sorts alphabetically). */
  severity: z.number().int().min(0).max(4),
  /** Sigma tags as written (`attack.t1059.001`, `attack.execution`, `cve.…`). */
  tags: z.array(z.string()).default([]),
  /** MITRE ATT&CK read from the tags: technique ids (`T1059.001`) and tactic names (`execution`). */
  attack: z
    .object({ techniques: z.array(z.string()).default([]), tactics: z.array(z.string()).default([]) })
    .prefault({}),
  /** Rule version (the `rules` document's `version`) that fired, for audits of tuning. */
  version: z.number().int().optional(),
});

export const alertEntitiesSchema = z.object({
  host: z.object({ name: z.string().optional(), ip: z.array(z.string()).optional() }).optional(),
  user: z.object({ name: z.string().optional(), domain: z.string().optional() }).optional(),
  source: z.object({ ip: z.string().optional(), port: z.number().int().optional() }).optional(),
  destination: z.object({ ip: z.string().optional(), port: z.number().int().optional() }).optional(),
  process: z
    .object({
      name: z.string().optional(),
      executable: z.string().optional(),
      pid: z.number().int().optional(),
      command_line: z.string().optional(),
    })
    .optional(),
});

export const alertSchema = z.object({
  id: z.string().min(1),
  /** When the alert was created (first written). */
  '@timestamp': z.iso.datetime(),
  rule: alertRuleSchema,
  /**
   * The matching events: `_id`s in the events indices (ingest uses the agent message id),
   * capped at 100 (the count says how many there were); `index` where they were written.
   */
  events: z.object({
    ids: z.array(z.string()).max(100),
    index: z.array(z.string()).optional(),
  }),
  /** A copy of the first matching event's key fields (ECS, nested), kept when events age out. Not indexed. */
  fields: z.record(z.string(), z.unknown()).default({}),
  entities: alertEntitiesSchema.default({}),
  organization: ref.optional(),
  system: ref.optional(),
  /** Security level (cấp độ) of the system, 1–5, copied from the event's `soc.security_level`. */
  security_level: z.number().int().min(1).max(5).optional(),
  first_seen: z.iso.datetime(),
  last_seen: z.iso.datetime(),
  /** Matching events folded into this alert (≥ events.ids length). */
  count: z.number().int().min(1),
  /** Repeats of the same rule and entities within the window fold into one alert. */
  group_key: z.string().optional(),
  status: z.enum(ALERT_STATUSES).default('open'),
  close_reason: z.enum(ALERT_CLOSE_REASONS).optional(),
  close_comment: z.string().max(4000).optional(),
  assignee: ref.nullable().optional(),
  /** True when raised by a retro-hunt over history rather than on the live stream. */
  retro: z.boolean().default(false),
  /** The case this alert was escalated to (cases, a later issue). */
  case_id: z.string().optional(),
  updated_at: z.iso.datetime().optional(),
  /**
   * `severityRank(alert)`: `rule.severity` and `last_seen` as one number, so the queue's
   * severity view sorts on one key (see `severityRank`). Every writer sets it (detection,
   * the API's workflow changes); alerts written before it existed lack it until the API
   * fills it in (`backfillSeverityRank`).
   */
  severity_rank: z.number().int().nonnegative().optional(),
});

export type Alert = z.output<typeof alertSchema>;
export type AlertInput = z.input<typeof alertSchema>;

/** ATT&CK ids and tactics from Sigma tags: `attack.t1059.001` → `T1059.001`, `attack.execution` → `execution`. */
export function attackFromTags(tags: readonly string[]): { techniques: string[]; tactics: string[] } {
  const techniques: string[] = [];
  const tactics: string[] = [];
  for (const t of tags) {
    const m = /^attack\.(.+)$/i.exec(t);
    if (!m) continue;
    const v = m[1]!;
    if (/^t\d{4}(\.\d{3})?$/i.test(v)) techniques.push(v.toUpperCase());
    else if (!/^[gs]\d{4}$/i.test(v)) tactics.push(v.toLowerCase().replaceAll('_', '-'));
  }
  return { techniques, tactics };
}

const kw = { type: 'keyword' } as const;
const date = { type: 'date' } as const;
const refMapping = { properties: { id: kw, name: kw } } as const;

/** The mapping of the alerts index: strict at the top, so a writer's typo fails loudly. */
export const ALERT_MAPPING = {
  dynamic: 'strict',
  properties: {
    id: kw,
    '@timestamp': date,
    rule: {
      properties: {
        id: kw,
        title: { type: 'text', fields: { raw: kw } },
        level: kw,
        severity: { type: 'byte' },
        tags: kw,
        attack: { properties: { techniques: kw, tactics: kw } },
        version: { type: 'integer' },
      },
    },
    events: { properties: { ids: kw, index: kw } },
    fields: { type: 'object', enabled: false },
    entities: {
      properties: {
        host: { properties: { name: kw, ip: { type: 'ip' } } },
        user: { properties: { name: kw, domain: kw } },
        source: { properties: { ip: { type: 'ip' }, port: { type: 'integer' } } },
        destination: { properties: { ip: { type: 'ip' }, port: { type: 'integer' } } },
        process: {
          properties: { name: kw, executable: kw, pid: { type: 'long' }, command_line: { type: 'text' } },
        },
      },
    },
    organization: refMapping,
    system: refMapping,
    security_level: { type: 'byte' },
    first_seen: date,
    last_seen: date,
    count: { type: 'long' },
    group_key: kw,
    status: kw,
    close_reason: kw,
    close_comment: { type: 'text' },
    assignee: refMapping,
    retro: { type: 'boolean' },
    case_id: kw,
    updated_at: date,
    severity_rank: { type: 'long' },
  },
} as const;

/**
 * Index sorting of the alerts index (`index.sort.*`), set when the index is created: segments
 * keep alerts newest first — the queue's default order (`last_seen` desc, then `id`) — so that
 * view stops after the hits it needs, and the hits of a page sit next to each other on disk
 * (one stored-fields block to decompress, not fifty: half the cost per request of the same
 * queries on an index sorted otherwise, BENCHMARKS.md). The severity view sorts on
 * `severity_rank`, which Elasticsearch skips through by its points whatever the index order.
 * Elasticsearch cannot add index sorting to an existing index: an alerts index created before
 * keeps working, unsorted, until it is reindexed into one created with these settings.
 * Every field here must be present on every alert (both are required by `alertSchema`).
 */
export const ALERT_INDEX_SORT: { readonly field: string[]; readonly order: ('asc' | 'desc')[] } = {
  field: ['last_seen', 'id'],
  order: ['desc', 'asc'],
};

/**
 * How soon a written alert is searchable (the analysts' queue, the latency bar of the brief).
 * Alerts are few next to events, so refreshing their index four times a second costs little;
 * Elasticsearch's default of 1 s would be most of the ≤ 2 s budget from event to alert.
 * Unlike the sort, it can be changed on an existing index (detection does at start).
 */
export const ALERTS_REFRESH_INTERVAL = '250ms';

/** 10^13 ms is year 2286: `last_seen` in ms always fits below one severity step. */
const RANK_STEP = 10_000_000_000_000;

/**
 * The severity view's order — `rule.severity` desc, then `last_seen` desc — as one number:
 * `severity × 10^13 + last_seen in epoch ms` (≤ 5 × 10^13, exact in a double and a `long`).
 * Sorting on it, Elasticsearch skips every alert that cannot make the page (a numeric sort
 * prunes by the field's points); sorting on `rule.severity` (five values) and then `last_seen`
 * compares the tie-breakers over every match instead (~400,000 of 1 M alerts). Milliseconds,
 * as Elasticsearch stores `last_seen`, so the two orders agree exactly.
 */
export function severityRank(a: { rule: { severity: number }; last_seen: string }): number {
  return a.rule.severity * RANK_STEP + Date.parse(a.last_seen);
}

/** The alert with `severity_rank` set from its severity and `last_seen` (every writer calls it). */
export function withSeverityRank<T extends { rule: { severity: number }; last_seen: string }>(
  a: T,
): T & { severity_rank: number } {
  return { ...a, severity_rank: severityRank(a) };
}

/** Level as a number for sorting by severity (`rule.level` sorts alphabetically). */
export function levelRank(level: (typeof ALERT_LEVELS)[number]): number {
  return ALERT_LEVELS.indexOf(level);
}

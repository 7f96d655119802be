import { z } from '@hono/zod-openapi';
import type { Principal } from '../../rbac/principal.ts';

/**
 * A retro-hunt job (`<prefix>-hunts`): one rule or correlation over [from, to) of the events the starter
 * could see. The scope is fixed when the job is created, from the caller's token — never
 * from the request — and is what the job searches, writes alerts for, and who may see it.
 */
export const HUNT_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type HuntState = (typeof HUNT_STATES)[number];
export const FINISHED: ReadonlySet<HuntState> = new Set(['done', 'failed', 'cancelled']);

export const huntProgressSchema = z.object({
  /**
   * Events the rule matches in the range and scope (counted when the hunt starts); for a
   * correlation, the events of the rules it refers to, from `from` minus its look-back.
   */
  events_total: z.number().int(),
  /** Of those, events read and folded into alerts so far. */
  events_scanned: z.number().int(),
  pages: z.number().int(),
  /** Events a rule exception suppressed, as on the stream. */
  excepted: z.number().int(),
  /** Distinct retro alerts created or grown. */
  alerts: z.number().int(),
  /** 0–100. */
  percent: z.number(),
});
export type HuntProgress = z.output<typeof huntProgressSchema>;

export const huntSchema = z
  .object({
    id: z.string(),
    rule: z.object({ id: z.string(), title: z.string(), version: z.number().int() }),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    scope: z.object({
      all: z.boolean(),
      organizations: z.array(z.string()),
      /** Number of organisations: lets a terms_set query test "all of them visible to the caller". */
      count: z.number().int(),
    }),
    state: z.enum(HUNT_STATES),
    progress: huntProgressSchema,
    error: z.string().optional(),
    /** Runs so far: an instance that died mid-hunt leaves it to another, up to MAX_ATTEMPTS. */
    attempts: z.number().int(),
    created_by: z.object({ kind: z.string(), id: z.string(), name: z.string() }),
    created_at: z.iso.datetime(),
    started_at: z.iso.datetime().optional(),
    finished_at: z.iso.datetime().optional(),
    updated_at: z.iso.datetime(),
    /** The API instance that holds the job, and when it last said so (a lease). */
    runner: z.object({ instance: z.string(), heartbeat_at: z.iso.datetime() }),
  })
  .openapi('Hunt');
export type Hunt = z.output<typeof huntSchema>;

export const emptyProgress = (): HuntProgress => ({
  events_total: 0,
  events_scanned: 0,
  pages: 0,
  excepted: 0,
  alerts: 0,
  percent: 0,
});

export function scopeOf(p: Principal): Hunt['scope'] {
  return p.organizations === 'all'
    ? { all: true, organizations: [], count: 0 }
    : { all: false, organizations: [...p.organizations], count: p.organizations.length };
}

/**
 * A caller sees a hunt only when it may see everything the hunt searched: its counts and
 * alerts say something about each of those organisations.
 */
export function canSeeHunt(p: Principal, h: Pick<Hunt, 'scope'>): boolean {
  if (p.organizations === 'all') return true;
  const mine = p.organizations;
  return !h.scope.all && h.scope.organizations.every((o) => mine.includes(o));
}

/** The same test as an Elasticsearch filter (no scripts: `minimum_should_match_field`). */
export function huntScopeFilter(p: Principal): object[] {
  if (p.organizations === 'all') return [];
  // No organisation, no hunt to see (and terms_set wants at least one term).
  if (!p.organizations.length) return [{ bool: { must_not: { match_all: {} } } }];
  return [
    { term: { 'scope.all': false } },
    {
      terms_set: {
        'scope.organizations': { terms: p.organizations, minimum_should_match_field: 'scope.count' },
      },
    },
  ];
}

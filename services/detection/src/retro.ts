import type { Client } from '@elastic/elasticsearch';
import type { Pipeline, SigmaRule } from '@soc/sigma';
import { ruleQuery } from '@soc/sigma/elasticsearch';
import { eventMs, type Hit, ruleHit } from './alert.ts';
import { ruleKey } from './ruleset.ts';
import type { AlertStore } from './store.ts';

export interface RetroHuntOptions {
  /** The events alias or pattern to search (ingest's `<prefix>-events`). */
  events: string;
  from: Date;
  to: Date;
  windowMs: number;
  version?: number;
  pageSize?: number;
  progress?: (done: number, total: number) => void;
}

export interface RetroHuntResult {
  total: number;
  alerts: number;
  query: unknown;
}

/**
 * A rule over a time range of history: the rule as Query DSL through the same pipeline and
 * semantics as the stream (`@soc/sigma/elasticsearch`, checked equal to the engine by its
 * agreement test), the events paged in time order, each hit folded into alerts exactly as on
 * the stream but with `retro: true` and ids of their own — a hunt never grows a live alert,
 * and running it twice changes nothing (the event ids are already counted).
 * Throws `UnsupportedError` when the rule cannot be expressed as a query.
 */
export async function retroHunt(
  es: Client,
  store: AlertStore,
  rule: SigmaRule,
  pipeline: Pipeline,
  o: RetroHuntOptions,
): Promise<RetroHuntResult> {
  const query = {
    bool: {
      filter: [
        ruleQuery(rule, pipeline),
        { range: { '@timestamp': { gte: o.from.toISOString(), lt: o.to.toISOString() } } },
      ],
    },
  };
  const total = (
    await es.count({
      index: o.events,
      query: query as never,
      allow_no_indices: true,
      ignore_unavailable: true,
    })
  ).count;
  const info = {
    key: ruleKey(rule),
    title: rule.title,
    level: rule.level,
    tags: rule.tags,
    version: o.version ?? 1,
  };
  let done = 0;
  const alerts = new Set<string>();
  let after: unknown[] | undefined;
  o.progress?.(0, total);
  for (;;) {
    const page = await es.search<Record<string, unknown>>({
      index: o.events,
      size: o.pageSize ?? 1000,
      query: query as never,
      // event.id is the agent's message id (the document _id), unique: a total order to page on
      sort: [{ '@timestamp': 'asc' }, { 'event.id': 'asc' }] as never,
      search_after: after as never,
      allow_no_indices: true,
      ignore_unavailable: true,
    });
    const hits = page.hits.hits;
    if (!hits.length) break;
    const batch: Hit[] = hits.map((h) =>
      ruleHit(info, h._source!, h._id!, eventMs(h._source, 0), o.windowMs, true),
    );
    for (const a of await store.apply(batch)) alerts.add(a.id);
    done += hits.length;
    o.progress?.(done, total);
    after = hits.at(-1)!.sort;
  }
  return { total, alerts: alerts.size, query };
}

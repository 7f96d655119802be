import type { Client } from '@elastic/elasticsearch';
import type { Alert } from '@soc/core';
import type { Pipeline, SigmaRule } from '@soc/sigma';
import { ruleQuery } from '@soc/sigma/elasticsearch';
import { eventMs, type Hit, ruleHit } from './alert.ts';
import type { ExceptionMatcher } from './exceptions.ts';
import { countEvents, eventPage, huntQuery } from './retro-pages.ts';
import { ruleKey } from './ruleset.ts';
import type { AlertStore } from './store.ts';

/** Where a hunt stands after a page: what a job shows as its progress. */
export interface RetroHuntProgress {
  /** Events the rule matches in the range (and the extra filters), counted before the first page. */
  total: number;
  /** Of those, events read and folded so far. */
  scanned: number;
  pages: number;
  /** Events an exception of the rule suppressed (no alert, as on the stream). */
  excepted: number;
  /** Distinct alerts this hunt created or grew. */
  alerts: number;
}

export interface RetroHuntOptions {
  /** The events alias or pattern to search (ingest's `<prefix>-events`). */
  events: string;
  from: Date;
  to: Date;
  windowMs: number;
  version?: number;
  pageSize?: number;
  progress?: (done: number, total: number) => void;
  /**
   * Called after each page, once its alerts are written; awaited, so a caller can record
   * progress durably — and stop the hunt by throwing.
   */
  onPage?: (p: RetroHuntProgress) => void | Promise<void>;
  /** More query clauses ANDed with the rule: the API's organisation scope. */
  filter?: object[];
  /** The rule's exceptions, applied exactly as on the stream. */
  exceptions?: ExceptionMatcher;
  /**
   * Publishes the alerts a page wrote or touched (after they are written), as the stream does:
   * every touched alert, so a hunt re-run after a failed publish publishes it again (the
   * message id `<alert id>:<count>` lets the stream drop a repeat of the same state).
   */
  publish?: (alerts: Alert[]) => Promise<void>;
  /** Stops between pages (the page in flight is written first, so nothing is half-applied). */
  signal?: AbortSignal;
}

export interface RetroHuntResult extends RetroHuntProgress {
  query: unknown;
}

/**
 * A rule over a time range of history: the rule as Query DSL through the same pipeline and
 * semantics as the stream (`@soc/sigma/elasticsearch`, checked equal to the engine by its
 * agreement test), the events paged in time order, each hit folded into alerts exactly as on
 * the stream but with `retro: true` and ids of their own — a hunt never grows a live alert,
 * and running it twice changes nothing (the event ids are already counted).
 * Throws `UnsupportedError` when the rule cannot be expressed as a query, and the signal's
 * reason when aborted.
 */
export async function retroHunt(
  es: Client,
  store: AlertStore,
  rule: SigmaRule,
  pipeline: Pipeline,
  o: RetroHuntOptions,
): Promise<RetroHuntResult> {
  const query = huntQuery(ruleQuery(rule, pipeline), o.from, o.to, o.filter);
  o.signal?.throwIfAborted();
  const total = await countEvents(es, o.events, query);
  const info = {
    key: ruleKey(rule),
    title: rule.title,
    level: rule.level,
    tags: rule.tags,
    version: o.version ?? 1,
  };
  const p: RetroHuntProgress = { total, scanned: 0, pages: 0, excepted: 0, alerts: 0 };
  const alerts = new Set<string>();
  let after: unknown[] | undefined;
  o.progress?.(0, total);
  await o.onPage?.({ ...p });
  for (;;) {
    o.signal?.throwIfAborted();
    const hits = await eventPage(es, o.events, query, o.pageSize ?? 1000, after);
    if (!hits.length) break;
    const batch: Hit[] = [];
    for (const h of hits) {
      if (o.exceptions?.(h._source)) {
        p.excepted++;
        continue;
      }
      batch.push(ruleHit(info, h._source, h._id, eventMs(h._source, 0), o.windowMs, true));
    }
    const written = await store.apply(batch);
    for (const a of written) alerts.add(a.id);
    if (written.length) await o.publish?.(written);
    p.scanned += hits.length;
    p.pages++;
    p.alerts = alerts.size;
    o.progress?.(p.scanned, total);
    await o.onPage?.({ ...p });
    after = hits.at(-1)!.sort;
  }
  return { ...p, query };
}

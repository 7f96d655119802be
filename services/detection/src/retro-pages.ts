import type { Client } from '@elastic/elasticsearch';

export interface EventHit {
  _id: string;
  _source: Record<string, unknown>;
  sort: unknown[];
}

/** Query DSL: the rule's query, the hunt's time range and the caller's extra filters. */
export function huntQuery(ruleQuery: object, from: Date, to: Date, filter: object[] = []): object {
  return {
    bool: {
      filter: [
        ruleQuery,
        { range: { '@timestamp': { gte: from.toISOString(), lt: to.toISOString() } } },
        ...filter,
      ],
    },
  };
}

/** How many events a hunt query matches (an absent index matches none). */
export async function countEvents(es: Client, index: string, query: object): Promise<number> {
  return (await es.count({ index, query: query as never, allow_no_indices: true, ignore_unavailable: true }))
    .count;
}

/**
 * One page of a hunt query's events in time order, after `after` (the previous page's last
 * sort values). Retro-hunts of rules and of correlations page the same way.
 */
export async function eventPage(
  es: Client,
  index: string,
  query: object,
  size: number,
  after: unknown[] | undefined,
): Promise<EventHit[]> {
  const page = await es.search<Record<string, unknown>>({
    index,
    size,
    query: query as never,
    // event.id is the agent's message id (the document _id), unique: a total order to page on;
    // unmapped_type keeps an index without the field (an empty or foreign one in the alias) from failing the search
    sort: [
      { '@timestamp': { order: 'asc', unmapped_type: 'date' } },
      { 'event.id': { order: 'asc', unmapped_type: 'keyword' } },
    ] as never,
    search_after: after as never,
    allow_no_indices: true,
    ignore_unavailable: true,
  });
  return page.hits.hits.map((h) => ({ _id: h._id!, _source: h._source ?? {}, sort: h.sort ?? [] }));
}

import { createRoute, z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { cursorParam } from '../../http/cursor.ts';
import type { ApiDeps } from '../../http/env.ts';
import { ApiProblem, notFound } from '../../http/problem.ts';
import { type Router, register } from '../../http/router.ts';
import { body, errorResponses, json } from '../../http/schemas.ts';
import { principalOf, requires } from '../../middleware/authorize/index.ts';
import { orgFilter, type Principal } from '../../rbac/principal.ts';
import { baseQuery, buildQuery, fieldName } from './query.ts';

/** Where events keep their organisation (ingest's enrichment, services/normalize/src/assets.ts). */
export const EVENT_ORG_FIELD = 'soc.organization.id';
const PIT_KEEP_ALIVE = '2m';
const EXPORT_MAX = 100_000;

const eventHit = z
  .object({ id: z.string(), index: z.string(), source: z.record(z.string(), z.unknown()) })
  .openapi('EventHit');

const SearchBody = z.strictObject({
  ...baseQuery,
  sort: z
    .strictObject({ field: fieldName, order: z.enum(['asc', 'desc']).default('desc') })
    .default({ field: '@timestamp', order: 'desc' }),
  size: z.number().int().min(1).max(1000).default(100),
  /** Source filtering: only these fields (dotted names) are returned. */
  fields: z.array(fieldName).max(100).optional(),
  /** Ask for a cursor to page on (opens a point in time). */
  paginate: z.boolean().default(false),
  cursor: cursorParam.optional(),
});

const scope = (p: Principal) => orgFilter(p, EVENT_ORG_FIELD);

const eventsDoc = (deps: ApiDeps) => ({
  index: deps.eventsIndex,
  ignore_unavailable: true,
  allow_no_indices: true,
});

const toHit = (h: { _id?: string; _index: string; _source?: unknown }) => ({
  id: h._id ?? '',
  index: h._index,
  source: (h._source ?? {}) as Record<string, unknown>,
});

/** Marks a read-only POST (a search sent as a body) so the audit trail does not record it. */
const readOnly = (c: { get(k: 'audit'): object }) => Object.assign(c.get('audit'), { skip: true });

export function eventRoutes(r: Router): void {
  register(
    r,
    createRoute({
      method: 'post',
      path: '/events/search',
      operationId: 'searchEvents',
      tags: ['events'],
      summary: 'Search events: free text, structured filters, time range, sort, search_after pages',
      middleware: [requires('event:read')] as const,
      request: { body: body(SearchBody) },
      responses: {
        200: json(z.object({ items: z.array(eventHit), total: z.number(), next: z.string().optional() })),
        ...errorResponses,
      },
    }),
    async (c) => {
      readOnly(c);
      const deps = c.get('deps');
      const q = c.req.valid('json');
      const cursor = q.cursor ? deps.cursors.decode(q.cursor) : undefined;
      if (q.cursor && !cursor)
        throw new ApiProblem('validation', 'bad cursor', [
          { field: 'body.cursor', message: 'not a cursor returned by this API' },
        ]);
      let pit = cursor?.pit;
      if (q.paginate && !pit) {
        const opened = await deps.es.openPointInTime({ ...eventsDoc(deps), keep_alive: PIT_KEEP_ALIVE });
        pit = opened.id;
      }
      const res = await deps.es.search({
        ...(pit ? { pit: { id: pit, keep_alive: PIT_KEEP_ALIVE } } : eventsDoc(deps)),
        size: q.size,
        query: buildQuery(q, scope(principalOf(c))) as never,
        // With a PIT Elasticsearch adds the _shard_doc tie-breaker itself, so pages never skip or repeat.
        sort: [{ [q.sort.field]: { order: q.sort.order, unmapped_type: 'keyword' } }] as never,
        track_total_hits: 10_000,
        ...(q.fields ? { _source: q.fields } : {}),
        ...(cursor ? { search_after: cursor.after } : {}),
      });
      const hits = res.hits.hits;
      const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
      const last = hits.at(-1)?.sort as (string | number | null)[] | undefined;
      const next =
        pit && last && hits.length === q.size
          ? deps.cursors.encode({ after: last, pit: res.pit_id ?? pit })
          : undefined;
      return c.json({ items: hits.map(toHit), total, ...(next ? { next } : {}) }, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/events/histogram',
      operationId: 'eventHistogram',
      tags: ['events'],
      summary: 'Event counts over time (for the console)',
      middleware: [requires('event:read')] as const,
      request: {
        body: body(
          z.strictObject({
            ...baseQuery,
            interval: z
              .enum(['1m', '5m', '15m', '1h', '6h', '1d'])
              .optional()
              .describe('absent: about 60 buckets, chosen by Elasticsearch'),
          }),
        ),
      },
      responses: {
        200: json(
          z.object({
            buckets: z.array(z.object({ time: z.string(), count: z.number() })),
            interval: z.string().optional(),
          }),
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      readOnly(c);
      const deps = c.get('deps');
      const q = c.req.valid('json');
      const res = await deps.es.search({
        ...eventsDoc(deps),
        size: 0,
        query: buildQuery(q, scope(principalOf(c))) as never,
        aggs: {
          h: q.interval
            ? { date_histogram: { field: '@timestamp', fixed_interval: q.interval, min_doc_count: 0 } }
            : { auto_date_histogram: { field: '@timestamp', buckets: 60 } },
        },
      });
      const agg = (res.aggregations?.h ?? { buckets: [] }) as {
        buckets: { key_as_string?: string; key: number; doc_count: number }[];
        interval?: string;
      };
      return c.json(
        {
          buckets: agg.buckets.map((b) => ({
            time: b.key_as_string ?? new Date(b.key).toISOString(),
            count: b.doc_count,
          })),
          ...(agg.interval || q.interval ? { interval: agg.interval ?? q.interval } : {}),
        },
        200,
      );
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/events/top',
      operationId: 'eventTopValues',
      tags: ['events'],
      summary: 'The most frequent values of a field (top-N)',
      middleware: [requires('event:read')] as const,
      request: {
        body: body(
          z.strictObject({
            ...baseQuery,
            field: fieldName,
            size: z.number().int().min(1).max(100).default(10),
          }),
        ),
      },
      responses: {
        200: json(
          z.object({
            values: z.array(z.object({ value: z.unknown(), count: z.number() })),
            other: z.number(),
          }),
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      readOnly(c);
      const deps = c.get('deps');
      const q = c.req.valid('json');
      const res = await deps.es.search({
        ...eventsDoc(deps),
        size: 0,
        query: buildQuery(q, scope(principalOf(c))) as never,
        aggs: { t: { terms: { field: q.field, size: q.size } } },
      });
      const agg = (res.aggregations?.t ?? { buckets: [], sum_other_doc_count: 0 }) as {
        buckets: { key: unknown; key_as_string?: string; doc_count: number }[];
        sum_other_doc_count: number;
      };
      return c.json(
        {
          values: agg.buckets.map((b) => ({ value: b.key_as_string ?? b.key, count: b.doc_count })),
          other: agg.sum_other_doc_count ?? 0,
        },
        200,
      );
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/events/export',
      operationId: 'exportEvents',
      tags: ['events'],
      summary: `Stream matching events as NDJSON (at most ${EXPORT_MAX}); the export is audited`,
      middleware: [requires('event:read')] as const,
      request: {
        body: body(
          z.strictObject({
            ...baseQuery,
            fields: z.array(fieldName).max(100).optional(),
            limit: z.number().int().min(1).max(EXPORT_MAX).default(10_000),
          }),
        ),
      },
      responses: { 200: { description: 'application/x-ndjson: one event per line' }, ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const q = c.req.valid('json');
      const query = buildQuery(q, scope(principalOf(c)));
      Object.assign(c.get('audit'), {
        target: { type: 'events', id: 'export' },
        after: { query: q.query, filters: q.filters, from: q.from, to: q.to, limit: q.limit },
      });
      const pit = (await deps.es.openPointInTime({ ...eventsDoc(deps), keep_alive: PIT_KEEP_ALIVE })).id;
      c.header('content-type', 'application/x-ndjson');
      c.header('content-disposition', 'attachment; filename="events.ndjson"');
      return stream(c, async (out) => {
        let after: unknown[] | undefined;
        let sent = 0;
        try {
          while (sent < q.limit) {
            const res = await deps.es.search({
              pit: { id: pit, keep_alive: PIT_KEEP_ALIVE },
              size: Math.min(1000, q.limit - sent),
              query: query as never,
              sort: [{ '@timestamp': { order: 'asc', unmapped_type: 'date' } }] as never,
              ...(q.fields ? { _source: q.fields } : {}),
              ...(after ? { search_after: after as never } : {}),
            });
            const hits = res.hits.hits;
            if (!hits.length) break;
            await out.write(`${hits.map((h) => JSON.stringify(toHit(h))).join('\n')}\n`);
            sent += hits.length;
            after = hits.at(-1)!.sort;
          }
        } finally {
          await deps.es.closePointInTime({ id: pit }).catch(() => {});
        }
      });
    },
  );

  register(
    r,
    createRoute({
      method: 'get',
      path: '/events/{id}',
      operationId: 'getEvent',
      tags: ['events'],
      middleware: [requires('event:read')] as const,
      request: {
        params: z.object({
          id: z
            .string()
            .min(1)
            .max(512)
            .openapi({ param: { name: 'id', in: 'path' } }),
        }),
      },
      responses: { 200: json(eventHit), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { id } = c.req.valid('param');
      // A search, not a GET: the id alone does not say which daily index holds it, and the scope filter applies.
      const res = await deps.es.search({
        ...eventsDoc(deps),
        size: 1,
        query: { bool: { filter: [{ ids: { values: [id] } }, ...scope(principalOf(c))] } },
      });
      const hit = res.hits.hits[0];
      if (!hit) throw notFound('event');
      return c.json(toHit(hit), 200);
    },
  );
}

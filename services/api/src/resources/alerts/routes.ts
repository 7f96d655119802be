import { createRoute, z } from '@hono/zod-openapi';
import { ALERT_CLOSE_REASONS, type Alert, alertSchema } from '@soc/core';
import type { ApiDeps } from '../../http/env.ts';
import { ApiProblem, notFound } from '../../http/problem.ts';
import { type Router, register } from '../../http/router.ts';
import { body, errorResponses, IdParams, idSchema, json } from '../../http/schemas.ts';
import { principalOf, requires } from '../../middleware/authorize/index.ts';
import { canSeeOrg, orgFilter, type Principal, userPrincipal } from '../../rbac/principal.ts';
import { getDoc } from '../../store/es.ts';
import { loadScoped } from '../../store/scoped.ts';
import { EVENT_ORG_FIELD } from '../events/routes.ts';
import type { UserDoc } from '../users/model.ts';
import { AlertQuery, alertQuery } from './queue.ts';
import { rawPage } from './raw.ts';
import { type AlertAction, changeAlert, throwFor, workflowOf } from './workflow.ts';

const alertOut = z.object(alertSchema.shape).openapi('Alert');

/** An assignee must exist, be able to work alerts and see the alert's organisation. */
async function resolveAssignee(deps: ApiDeps, assigneeId: string | null, orgId: string | undefined) {
  if (assigneeId === null) return null;
  const u = await getDoc<UserDoc>(deps.es, deps.indices.users, assigneeId);
  const up = u && userPrincipal(u);
  if (!u || u.disabled || !up || !up.permissions.has('alert:write') || !canSeeOrg(up, orgId))
    throw new ApiProblem('validation', 'the assignee cannot work this alert', [
      {
        field: 'body.assignee_id',
        message: 'no such user, or the user cannot work alerts of this organisation',
      },
    ]);
  return { id: u.id, name: u.name };
}

async function act(deps: ApiDeps, p: Principal, id: string, action: AlertAction) {
  const r = await changeAlert(deps, p, id, action);
  if (!r.ok) throwFor(r);
  return r;
}

const BulkBody = z.strictObject({
  ids: z.array(idSchema).min(1).max(1000),
  action: z.enum(['acknowledge', 'close', 'reopen', 'assign']),
  reason: z.enum(ALERT_CLOSE_REASONS).optional(),
  comment: z.string().max(4000).optional(),
  assignee_id: idSchema.nullable().optional(),
});

export function alertRoutes(r: Router): void {
  register(
    r,
    createRoute({
      method: 'get',
      path: '/alerts',
      operationId: 'listAlerts',
      tags: ['alerts'],
      summary: 'The alert queue: filters, sort, search_after pages (`next` cursor)',
      middleware: [requires('alert:read')] as const,
      request: { query: AlertQuery },
      responses: {
        200: json(z.object({ items: z.array(alertOut), total: z.number(), next: z.string().optional() })),
        ...errorResponses,
      },
    }),
    async (c) => {
      const deps = c.get('deps');
      const q = c.req.valid('query');
      const cursor = q.cursor ? deps.cursors.decode(q.cursor) : undefined;
      if (q.cursor && !cursor)
        throw new ApiProblem('validation', 'bad cursor', [
          { field: 'query.cursor', message: 'not a cursor returned by this API' },
        ]);
      const { query, sort } = alertQuery(q, principalOf(c));
      const params = {
        index: deps.indices.alerts,
        size: q.size,
        query: query as never,
        sort: sort as never,
        track_total_hits: 10_000,
        // Only what the answer uses: no `_index`, `_id`, `_score` per hit nor `_shards`, for
        // Elasticsearch to write and this process to read on every queue request. Empty
        // arrays and objects are dropped too: no hits means no `hits.hits`.
        filter_path: ['hits.total', 'hits.hits._source', 'hits.hits.sort'],
        ...(cursor ? { search_after: cursor.after } : {}),
      };
      // The answer as text (rawPage copies each source as it is, see there).
      const res = await deps.es.search(params, { asStream: true, meta: true });
      const chunks: Buffer[] = [];
      for await (const chunk of res.body as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
      if (res.statusCode !== 200) {
        // Refused (e.g. a cursor of an older sort): the same search through the client raises
        // its usual error, which the error handler maps to a problem.
        await deps.es.search(params);
        throw new Error(`alert queue search answered ${res.statusCode}`);
      }
      const page = rawPage(Buffer.concat(chunks).toString('utf8'));
      const next =
        page.lastSort && page.sources.length === q.size
          ? deps.cursors.encode({ after: page.lastSort })
          : undefined;
      // The same JSON `c.json({ items, total, next })` wrote, with the sources copied as they are.
      c.header('content-type', 'application/json');
      return c.body(
        `{"items":[${page.sources.join(',')}],"total":${page.total}${next ? `,"next":${JSON.stringify(next)}` : ''}}`,
        200,
      ) as never;
    },
  );

  register(
    r,
    createRoute({
      method: 'get',
      path: '/alerts/{id}',
      operationId: 'getAlert',
      tags: ['alerts'],
      middleware: [requires('alert:read')] as const,
      request: { params: IdParams },
      responses: { 200: json(alertOut), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const found = await loadScoped<Alert>(
        deps,
        principalOf(c),
        deps.indices.alerts,
        c.req.valid('param').id,
        'alert',
        (a) => a.organization?.id,
      );
      return c.json(found.doc, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'get',
      path: '/alerts/{id}/events',
      operationId: 'alertEvents',
      tags: ['alerts'],
      summary: 'The events that raised the alert (those still retained)',
      middleware: [requires('alert:read')] as const,
      request: { params: IdParams },
      responses: {
        200: json(
          z.object({
            items: z.array(
              z.object({ id: z.string(), index: z.string(), source: z.record(z.string(), z.unknown()) }),
            ),
            missing: z.array(z.string()),
          }),
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const deps = c.get('deps');
      const p = principalOf(c);
      const alert = (
        await loadScoped<Alert>(
          deps,
          p,
          deps.indices.alerts,
          c.req.valid('param').id,
          'alert',
          (a) => a.organization?.id,
        )
      ).doc;
      const ids = alert.events.ids;
      const res = ids.length
        ? await deps.es.search({
            index: deps.eventsIndex,
            ignore_unavailable: true,
            allow_no_indices: true,
            size: ids.length,
            query: { bool: { filter: [{ ids: { values: ids } }, ...orgFilter(p, EVENT_ORG_FIELD)] } },
          })
        : { hits: { hits: [] as { _id?: string; _index: string; _source?: unknown }[] } };
      const items = res.hits.hits.map((h) => ({
        id: h._id ?? '',
        index: h._index,
        source: (h._source ?? {}) as Record<string, unknown>,
      }));
      const seen = new Set(items.map((i) => i.id));
      return c.json({ items, missing: ids.filter((i) => !seen.has(i)) }, 200);
    },
  );

  const single = <B extends z.ZodType>(
    path: string,
    operationId: string,
    summary: string,
    bodySchema: B | undefined,
    toAction: (
      b: z.infer<B>,
      deps: ApiDeps,
      orgOf: () => Promise<string | undefined>,
    ) => Promise<AlertAction>,
  ) =>
    register(
      r,
      createRoute({
        method: 'post',
        path,
        operationId,
        tags: ['alerts'],
        summary,
        middleware: [requires('alert:write')] as const,
        request: { params: IdParams, ...(bodySchema ? { body: body(bodySchema) } : {}) },
        responses: {
          200: json(alertOut),
          ...errorResponses,
          409: { description: 'Not allowed in the alert’s state' },
        },
      }),
      async (c) => {
        const deps = c.get('deps');
        const p = principalOf(c);
        // Already validated against the route's schemas by the OpenAPI layer.
        const id = (c.req.param as (k: string) => string)('id');
        const parsed = (bodySchema ? (c.req.valid as (t: 'json') => unknown)('json') : {}) as z.infer<B>;
        const orgOf = async () =>
          (await loadScoped<Alert>(deps, p, deps.indices.alerts, id, 'alert', (a) => a.organization?.id)).doc
            .organization?.id;
        const res = await act(deps, p, id, await toAction(parsed, deps, orgOf));
        Object.assign(c.get('audit'), {
          target: { type: 'alert', id },
          organization_id: res.after.organization?.id,
          before: workflowOf(res.before),
          after: workflowOf(res.after),
        });
        return c.json(res.after, 200);
      },
    );

  single(
    '/alerts/{id}/acknowledge',
    'acknowledgeAlert',
    'Acknowledge: someone is on it',
    undefined,
    async () => ({ action: 'acknowledge' }),
  );
  single(
    '/alerts/{id}/close',
    'closeAlert',
    'Close with a reason (true/false/benign positive, duplicate, other)',
    z.strictObject({ reason: z.enum(ALERT_CLOSE_REASONS), comment: z.string().max(4000).optional() }),
    async (b) => ({ action: 'close', reason: b.reason, comment: b.comment }),
  );
  single('/alerts/{id}/reopen', 'reopenAlert', 'Reopen a closed alert', undefined, async () => ({
    action: 'reopen',
  }));
  single(
    '/alerts/{id}/assign',
    'assignAlert',
    'Assign to a user (null unassigns)',
    z.strictObject({ assignee_id: idSchema.nullable() }),
    async (b, deps, orgOf) => ({
      action: 'assign',
      assignee: await resolveAssignee(deps, b.assignee_id, await orgOf()),
    }),
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/alerts/bulk',
      operationId: 'bulkAlerts',
      tags: ['alerts'],
      summary: 'One action on up to 1,000 alerts; each id answers for itself',
      middleware: [requires('alert:write')] as const,
      request: { body: body(BulkBody) },
      responses: {
        200: json(
          z.object({
            results: z.array(
              z.object({
                id: z.string(),
                ok: z.boolean(),
                error: z.string().optional(),
                detail: z.string().optional(),
              }),
            ),
          }),
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const deps = c.get('deps');
      const p = principalOf(c);
      const b = c.req.valid('json');
      if (b.action === 'close' && !b.reason)
        throw new ApiProblem('validation', 'close needs a reason', [
          { field: 'body.reason', message: 'required for close' },
        ]);
      if (b.action === 'assign' && b.assignee_id === undefined)
        throw new ApiProblem('validation', 'assign needs assignee_id', [
          { field: 'body.assignee_id', message: 'required for assign' },
        ]);
      const results: { id: string; ok: boolean; error?: string; detail?: string }[] = [];
      const changes: { id: string; before: unknown; after: unknown }[] = [];
      const orgs = new Set<string>();
      for (const id of [...new Set(b.ids)]) {
        try {
          let action: AlertAction;
          if (b.action === 'close') action = { action: 'close', reason: b.reason!, comment: b.comment };
          else if (b.action === 'assign') {
            const alert = await getDoc<Alert>(deps.es, deps.indices.alerts, id);
            if (!alert || !canSeeOrg(p, alert.organization?.id)) throw notFound('alert');
            action = {
              action: 'assign',
              assignee: await resolveAssignee(deps, b.assignee_id ?? null, alert.organization?.id),
            };
          } else action = { action: b.action };
          const res = await changeAlert(deps, p, id, action);
          if (res.ok) {
            results.push({ id, ok: true });
            changes.push({ id, before: workflowOf(res.before), after: workflowOf(res.after) });
            if (res.after.organization?.id) orgs.add(res.after.organization.id);
          } else results.push({ id, ok: false, error: res.code, detail: res.detail });
        } catch (err) {
          if (!(err instanceof ApiProblem)) throw err;
          results.push({ id, ok: false, error: err.key, detail: err.detail });
        }
      }
      Object.assign(c.get('audit'), {
        target: { type: 'alerts', id: `bulk:${b.action}` },
        organization_id: orgs.size === 1 ? [...orgs][0] : undefined,
        before: changes.map((x) => ({ id: x.id, ...(x.before as object) })),
        after: changes.map((x) => ({ id: x.id, ...(x.after as object) })),
      });
      return c.json({ results }, 200);
    },
  );
}

import { createRoute, z } from '@hono/zod-openapi';
import type { RuleState } from '@soc/core';
import { newId } from '../../auth/secrets.ts';
import { ApiProblem, forbidden, notFound } from '../../http/problem.ts';
import { type Router, register } from '../../http/router.ts';
import { body, errorResponses, IdParams, idSchema, json, ListQuery } from '../../http/schemas.ts';
import { principalOf, requires } from '../../middleware/authorize/index.ts';
import { getDoc, hitsOf } from '../../store/es.ts';
import {
  canSeeHunt,
  emptyProgress,
  HUNT_STATES,
  type Hunt,
  huntSchema,
  huntScopeFilter,
  scopeOf,
} from './model.ts';
import { huntPipeline, huntTarget } from './rule.ts';

const HuntQuery = ListQuery.extend({
  state: z.enum(HUNT_STATES).optional(),
  rule_id: idSchema.optional(),
});

const conflict = (detail: string) => new ApiProblem('conflict', detail);

/**
 * Retro-hunts: a stored rule or correlation over a time range of history, as a background job with
 * progress (`runner.ts`). Starting and cancelling need `rule:write` (analysts, admins),
 * reading `rule:read`. The job's organisation scope is the caller's, taken from the token.
 */
export function huntRoutes(r: Router): void {
  register(
    r,
    createRoute({
      method: 'post',
      path: '/rules/{id}/hunts',
      operationId: 'startHunt',
      tags: ['rules', 'hunts'],
      summary:
        'Retro-hunt: run the rule or correlation over [from, to) of the events of your organisations; matches become alerts marked retro',
      middleware: [requires('rule:write')] as const,
      request: {
        params: IdParams,
        body: body(
          z
            .strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
            .refine((b) => Date.parse(b.to) > Date.parse(b.from), {
              message: 'must be after from',
              path: ['to'],
            }),
        ),
      },
      responses: { 202: json(huntSchema, 'Queued; poll GET /hunts/{id}'), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const range = c.req.valid('json');
      if (p.organizations !== 'all' && !p.organizations.length)
        throw forbidden('a hunt searches the events of your organisations, and you have none');
      const rule = await getDoc<RuleState>(deps.es, deps.indices.rules, id);
      if (!rule) throw notFound('rule');
      const ok = await huntTarget(
        deps.es,
        deps.indices.rules,
        rule.source,
        huntPipeline(deps.hunts.pipeline),
      );
      if ('error' in ok)
        throw new ApiProblem('validation', ok.error, [{ field: 'path.id', message: ok.error }]);
      const now = deps.now().toISOString();
      const job: Hunt = {
        id: newId(),
        rule: { id: rule.id, title: rule.title, version: rule.version },
        from: new Date(range.from).toISOString(),
        to: new Date(range.to).toISOString(),
        scope: scopeOf(p),
        state: 'queued',
        progress: emptyProgress(),
        attempts: 0,
        created_by: { kind: p.kind, id: p.id, name: p.name },
        created_at: now,
        updated_at: now,
        runner: { instance: deps.hunts.instance, heartbeat_at: now },
      };
      await deps.hunts.submit(job);
      Object.assign(c.get('audit'), {
        target: { type: 'hunt', id: job.id },
        ...(job.scope.count === 1 ? { organization_id: job.scope.organizations[0] } : {}),
        after: { rule: job.rule, from: job.from, to: job.to, scope: job.scope },
      });
      c.header('location', `/api/v1/hunts/${job.id}`);
      return c.json(job, 202);
    },
  );

  register(
    r,
    createRoute({
      method: 'get',
      path: '/hunts',
      operationId: 'listHunts',
      tags: ['hunts'],
      summary: 'Retro-hunts you may see (newest first)',
      middleware: [requires('rule:read')] as const,
      request: { query: HuntQuery },
      responses: {
        200: json(z.object({ items: z.array(huntSchema), total: z.number() })),
        ...errorResponses,
      },
    }),
    async (c) => {
      const deps = c.get('deps');
      const q = c.req.valid('query');
      const filter: object[] = [...huntScopeFilter(principalOf(c))];
      if (q.state) filter.push({ term: { state: q.state } });
      if (q.rule_id) filter.push({ term: { 'rule.id': q.rule_id } });
      const res = await deps.es.search<Hunt>({
        index: deps.indices.hunts,
        size: q.size,
        from: q.from,
        query: { bool: { filter } } as never,
        sort: [{ created_at: 'desc' }, { id: 'asc' }],
        track_total_hits: true,
      });
      const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
      return c.json({ items: hitsOf(res).docs, total }, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'get',
      path: '/hunts/{id}',
      operationId: 'getHunt',
      tags: ['hunts'],
      summary: 'A retro-hunt: state, progress (events scanned of the total, pages, alerts), error',
      middleware: [requires('rule:read')] as const,
      request: { params: IdParams },
      responses: { 200: json(huntSchema), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const job = await getDoc<Hunt>(deps.es, deps.indices.hunts, c.req.valid('param').id);
      if (!job || !canSeeHunt(principalOf(c), job)) throw notFound('hunt');
      return c.json(job, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/hunts/{id}/cancel',
      operationId: 'cancelHunt',
      tags: ['hunts'],
      summary: 'Stop a queued or running hunt (alerts already written stay); 409 when it has finished',
      middleware: [requires('rule:write')] as const,
      request: { params: IdParams },
      responses: { 200: json(huntSchema), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const job = await getDoc<Hunt>(deps.es, deps.indices.hunts, id);
      if (!job || !canSeeHunt(p, job)) throw notFound('hunt');
      const t = await deps.hunts.transition(id, ['queued', 'running'], () => ({
        state: 'cancelled',
        error: `cancelled by ${p.name}`,
        finished_at: deps.now().toISOString(),
      }));
      if (!t) throw conflict(`the hunt has already finished (${job.state})`);
      // At once when this instance runs it; another instance stops at its next page.
      deps.hunts.cancelLocal(id);
      Object.assign(c.get('audit'), {
        target: { type: 'hunt', id },
        ...(job.scope.count === 1 ? { organization_id: job.scope.organizations[0] } : {}),
        before: { state: t.before.state, progress: t.before.progress },
        after: { state: t.job.state },
      });
      return c.json(t.job, 200);
    },
  );
}

import { createRoute, z } from '@hono/zod-openapi';
import { attackFromTags, type RuleState, ruleExceptionSchema, ruleStateSchema } from '@soc/core';
import { newId } from '../../auth/secrets.ts';
import type { ApiDeps } from '../../http/env.ts';
import { ApiProblem, notFound } from '../../http/problem.ts';
import { type Router, register } from '../../http/router.ts';
import { body, errorResponses, IdParams, idSchema, json } from '../../http/schemas.ts';
import { principalOf, requires } from '../../middleware/authorize/index.ts';
import { getVersioned, hitsOf, type Versioned } from '../../store/es.ts';
import { fieldName } from '../events/query.ts';
import { compileRule, MAX_RULE_BYTES, PIPELINES, suppressedBy } from './sigma.ts';

const ruleOut = z.object(ruleStateSchema.shape).openapi('RuleState');

const RuleQuery = z.strictObject({
  enabled: z.enum(['true', 'false']).optional(),
  level: z.string().max(20).optional(),
  tag: z.string().max(100).optional(),
  q: z.string().max(200).optional(),
  size: z.coerce.number().int().min(1).max(1000).default(200),
  from: z.coerce.number().int().min(0).max(9000).default(0),
});

/** Rule content is global (not per organisation); exceptions may name one organisation. */
async function load(deps: ApiDeps, id: string): Promise<Versioned<RuleState>> {
  const found = await getVersioned<RuleState>(deps.es, deps.indices.rules, id);
  if (!found) throw notFound('rule');
  return found;
}

async function save(deps: ApiDeps, prev: Versioned<RuleState>, next: RuleState): Promise<void> {
  await deps.es.index({
    index: deps.indices.rules,
    id: next.id,
    document: next,
    if_seq_no: prev.seqNo,
    if_primary_term: prev.primaryTerm,
    refresh: 'wait_for',
  });
}

const summary = (r: RuleState) => ({
  enabled: r.enabled,
  version: r.version,
  exceptions: r.exceptions.length,
  title: r.title,
});

export function ruleRoutes(r: Router): void {
  register(
    r,
    createRoute({
      method: 'get',
      path: '/rules',
      operationId: 'listRules',
      tags: ['rules'],
      middleware: [requires('rule:read')] as const,
      request: { query: RuleQuery },
      responses: { 200: json(z.object({ items: z.array(ruleOut), total: z.number() })), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const q = c.req.valid('query');
      const filter: object[] = [];
      if (q.enabled) filter.push({ term: { enabled: q.enabled === 'true' } });
      if (q.level) filter.push({ term: { level: q.level } });
      if (q.tag) filter.push({ term: { tags: q.tag } });
      const must = q.q
        ? [{ simple_query_string: { query: q.q, fields: ['title'], default_operator: 'and', lenient: true } }]
        : [];
      const res = await deps.es.search<RuleState>({
        index: deps.indices.rules,
        size: q.size,
        from: q.from,
        query: { bool: { filter, must } } as never,
        sort: [{ 'title.raw': 'asc' }],
      });
      const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
      return c.json({ items: hitsOf(res).docs, total }, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'get',
      path: '/rules/{id}',
      operationId: 'getRule',
      tags: ['rules'],
      middleware: [requires('rule:read')] as const,
      request: { params: IdParams },
      responses: { 200: json(ruleOut), ...errorResponses },
    }),
    async (c) => c.json((await load(c.get('deps'), c.req.valid('param').id)).doc, 200),
  );

  register(
    r,
    createRoute({
      method: 'put',
      path: '/rules/{id}',
      operationId: 'putRule',
      tags: ['rules'],
      summary: 'Create or replace a rule from Sigma YAML (its `id:` must equal the path id)',
      middleware: [requires('rule:write')] as const,
      request: {
        params: IdParams,
        body: body(
          z.strictObject({ source: z.string().min(1).max(MAX_RULE_BYTES), enabled: z.boolean().optional() }),
        ),
      },
      responses: { 200: json(ruleOut), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const compiled = compileRule(input.source);
      if ('errors' in compiled)
        throw new ApiProblem('validation', 'the rule does not compile', compiled.errors);
      const rule = compiled.rule;
      if (rule.id !== id)
        throw new ApiProblem('validation', 'rule id mismatch', [
          { field: 'body.source.id', message: `must be ${id}` },
        ]);
      const prev = await getVersioned<RuleState>(deps.es, deps.indices.rules, id);
      const next: RuleState = {
        id,
        title: rule.title,
        level: rule.level ?? 'medium',
        ...(rule.status ? { status: rule.status } : {}),
        tags: rule.tags,
        logsource: Object.fromEntries(
          Object.entries(rule.logsource ?? {}).filter(([, v]) => typeof v === 'string'),
        ) as Record<string, string>,
        source: input.source,
        enabled: input.enabled ?? prev?.doc.enabled ?? false,
        exceptions: prev?.doc.exceptions ?? [],
        version: (prev?.doc.version ?? 0) + 1,
        updated_by: principalOf(c).id,
        updated_at: deps.now().toISOString(),
      };
      if (prev) await save(deps, prev, next);
      else await deps.es.create({ index: deps.indices.rules, id, document: next, refresh: 'wait_for' });
      Object.assign(c.get('audit'), {
        target: { type: 'rule', id },
        before: prev ? { ...summary(prev.doc), source: prev.doc.source } : undefined,
        after: { ...summary(next), source: next.source, attack: attackFromTags(next.tags) },
      });
      return c.json(next, 200);
    },
  );

  for (const enabled of [true, false]) {
    register(
      r,
      createRoute({
        method: 'post',
        path: enabled ? '/rules/{id}/enable' : '/rules/{id}/disable',
        operationId: enabled ? 'enableRule' : 'disableRule',
        tags: ['rules'],
        middleware: [requires('rule:write')] as const,
        request: { params: IdParams },
        responses: { 200: json(ruleOut), ...errorResponses },
      }),
      async (c) => {
        const deps = c.get('deps');
        const prev = await load(deps, c.req.valid('param').id);
        const next = {
          ...prev.doc,
          enabled,
          version: prev.doc.version + 1,
          updated_by: principalOf(c).id,
          updated_at: deps.now().toISOString(),
        };
        await save(deps, prev, next);
        Object.assign(c.get('audit'), {
          target: { type: 'rule', id: next.id },
          before: summary(prev.doc),
          after: summary(next),
        });
        return c.json(next, 200);
      },
    );
  }

  register(
    r,
    createRoute({
      method: 'put',
      path: '/rules/{id}/exceptions',
      operationId: 'putRuleExceptions',
      tags: ['rules'],
      summary: 'Replace the rule’s exceptions (events matching one raise no alert)',
      middleware: [requires('rule:write')] as const,
      request: {
        params: IdParams,
        body: body(
          z.strictObject({
            exceptions: z
              .array(
                z.strictObject({
                  field: fieldName,
                  values: z.array(z.string().max(1000)).min(1).max(1000),
                  organization_id: idSchema.optional(),
                  comment: z.string().max(2000).optional(),
                }),
              )
              .max(500),
          }),
        ),
      },
      responses: { 200: json(ruleOut), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const p = principalOf(c);
      const prev = await load(deps, c.req.valid('param').id);
      const now = deps.now().toISOString();
      const exceptions = c.req
        .valid('json')
        .exceptions.map((e) =>
          ruleExceptionSchema.parse({ ...e, id: newId(), created_by: p.id, created_at: now }),
        );
      const next = {
        ...prev.doc,
        exceptions,
        version: prev.doc.version + 1,
        updated_by: p.id,
        updated_at: now,
      };
      await save(deps, prev, next);
      Object.assign(c.get('audit'), {
        target: { type: 'rule', id: next.id },
        before: { exceptions: prev.doc.exceptions },
        after: { exceptions: next.exceptions },
      });
      return c.json(next, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/rules/test',
      operationId: 'testRule',
      tags: ['rules'],
      summary: 'Run a rule (stored, or given as YAML) over sample events; nothing is stored',
      middleware: [requires('rule:read')] as const,
      request: {
        body: body(
          z
            .strictObject({
              rule_id: idSchema.optional(),
              source: z.string().min(1).max(MAX_RULE_BYTES).optional(),
              pipeline: z.enum(PIPELINES).default('none'),
              events: z.array(z.record(z.string(), z.unknown())).min(1).max(1000),
            })
            .refine((b) => Boolean(b.rule_id) !== Boolean(b.source), {
              message: 'give rule_id or source, not both',
              path: ['rule_id'],
            }),
        ),
      },
      responses: {
        200: json(
          z.object({
            rule: z.object({
              id: z.string().optional(),
              title: z.string(),
              state: z.string(),
              reason: z.string().optional(),
            }),
            matches: z.array(
              z.object({ event: z.number(), matched: z.boolean(), suppressed_by: z.string().optional() }),
            ),
            matched: z.number(),
          }),
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const deps = c.get('deps');
      Object.assign(c.get('audit'), { skip: true });
      const b = c.req.valid('json');
      const stored = b.rule_id ? (await load(deps, b.rule_id)).doc : undefined;
      const compiled = compileRule(stored?.source ?? b.source!, b.pipeline);
      if ('errors' in compiled)
        throw new ApiProblem('validation', 'the rule does not compile', compiled.errors);
      const exceptions = stored?.exceptions ?? [];
      const matches = b.events.map((event, i) => {
        const matched = compiled.engine.match(event).length > 0;
        const orgId = (event.soc as { organization?: { id?: string } } | undefined)?.organization?.id;
        const ex = matched ? suppressedBy(event, exceptions, orgId) : undefined;
        return { event: i, matched, ...(ex ? { suppressed_by: ex.id } : {}) };
      });
      return c.json(
        {
          rule: {
            id: compiled.rule.id,
            title: compiled.rule.title,
            state: compiled.state,
            ...(compiled.reason ? { reason: compiled.reason } : {}),
          },
          matches,
          matched: matches.filter((m) => m.matched && !m.suppressed_by).length,
        },
        200,
      );
    },
  );
}

import { createRoute, z } from '@hono/zod-openapi';
import { type AuditRecord, verifyChain } from '../../audit/chain.ts';
import { type Router, register } from '../../http/router.ts';
import { errorResponses, idSchema, json } from '../../http/schemas.ts';
import { principalOf, requires } from '../../middleware/authorize/index.ts';
import { orgFilter } from '../../rbac/principal.ts';
import { hitsOf } from '../../store/es.ts';

const AuditQuery = z.strictObject({
  actor: z.string().max(254).optional(),
  action: z.string().max(200).optional(),
  target_id: z.string().max(200).optional(),
  organization_id: idSchema.optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  size: z.coerce.number().int().min(1).max(1000).default(100),
  before_seq: z.coerce.number().int().min(1).optional(),
});

export function auditRoutes(r: Router): void {
  register(
    r,
    createRoute({
      method: 'get',
      path: '/audit',
      operationId: 'listAudit',
      tags: ['audit'],
      summary: 'Audit records, newest first; page with before_seq',
      middleware: [requires('audit:read')] as const,
      request: { query: AuditQuery },
      responses: {
        200: json(z.object({ items: z.array(z.record(z.string(), z.unknown())) })),
        ...errorResponses,
      },
    }),
    async (c) => {
      const deps = c.get('deps');
      const q = c.req.valid('query');
      // Records without an organisation (logins, user admin) are visible only to cross-organisation principals.
      const filter: object[] = [...orgFilter(principalOf(c), 'organization_id')];
      if (q.actor) filter.push({ term: { 'actor.id': q.actor } });
      if (q.action) filter.push({ term: { action: q.action } });
      if (q.target_id) filter.push({ term: { 'target.id': q.target_id } });
      if (q.organization_id) filter.push({ term: { organization_id: q.organization_id } });
      if (q.outcome) filter.push({ term: { outcome: q.outcome } });
      if (q.before_seq) filter.push({ range: { seq: { lt: q.before_seq } } });
      const res = await deps.es.search<AuditRecord>({
        index: deps.indices.audit,
        ignore_unavailable: true,
        size: q.size,
        query: { bool: { filter } },
        sort: [{ seq: 'desc' }],
      });
      return c.json({ items: hitsOf(res).docs as unknown as Record<string, unknown>[] }, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'get',
      path: '/audit/verify',
      operationId: 'verifyAudit',
      tags: ['audit'],
      summary: 'Check the whole hash chain (also `soc audit verify`)',
      middleware: [requires('user:admin')] as const,
      responses: {
        200: json(
          z.object({
            ok: z.boolean(),
            records: z.number(),
            broken: z.object({ seq: z.number(), reason: z.string() }).optional(),
          }),
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const deps = c.get('deps');
      return c.json(await verifyChain(deps.es, deps.indices.audit), 200);
    },
  );
}

import { randomBytes } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { agentPermissions, heartbeatSubject, inboxPrefix } from '@soc/agent-shared';
import { issueSecret, parseSecret, secretMatches } from '../../auth/secrets.ts';
import { ApiProblem } from '../../http/problem.ts';
import { type Router, register } from '../../http/router.ts';
import { body, errorResponses, IdParams, idSchema, json, ListQuery } from '../../http/schemas.ts';
import { principalOf, requires } from '../../middleware/authorize/index.ts';
import { orgFilter } from '../../rbac/principal.ts';
import { getVersioned, hitsOf, isConflict } from '../../store/es.ts';
import { loadScoped, requireOrgInScope } from '../../store/scoped.ts';
import { AGENT_STATUSES, type AgentDoc, agentSchema, agentView, type EnrollmentTokenDoc } from './model.ts';

const ENROLL_PREFIX = 'socenr';

const AgentQuery = ListQuery.extend({
  organization_id: idSchema.optional(),
  status: z.enum(AGENT_STATUSES).optional(),
});

export function agentRoutes(r: Router): void {
  register(
    r,
    createRoute({
      method: 'get',
      path: '/agents',
      operationId: 'listAgents',
      tags: ['agents'],
      middleware: [requires('agent:read')] as const,
      request: { query: AgentQuery },
      responses: { 200: json(z.object({ items: z.array(agentSchema) })), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const q = c.req.valid('query');
      const filter: object[] = [...orgFilter(principalOf(c), 'organization.id')];
      if (q.organization_id) filter.push({ term: { 'organization.id': q.organization_id } });
      const res = await deps.es.search<AgentDoc>({
        index: deps.indices.agents,
        size: q.size,
        from: q.from,
        query: { bool: { filter } },
        sort: [{ hostname: 'asc' }],
      });
      const now = deps.now().getTime();
      const items = hitsOf(res)
        .docs.map((a) => agentView(a, now, deps.heartbeatIntervalS))
        // Status is derived from time, so it is filtered here rather than in the query.
        .filter((a) => !q.status || a.status === q.status);
      return c.json({ items }, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'get',
      path: '/agents/{id}',
      operationId: 'getAgent',
      tags: ['agents'],
      middleware: [requires('agent:read')] as const,
      request: { params: IdParams },
      responses: { 200: json(agentSchema), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const found = await loadScoped<AgentDoc>(
        deps,
        principalOf(c),
        deps.indices.agents,
        c.req.valid('param').id,
        'agent',
        (a) => a.organization.id,
      );
      return c.json(agentView(found.doc, deps.now().getTime(), deps.heartbeatIntervalS), 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/agents/enrollment-tokens',
      operationId: 'createEnrollmentToken',
      tags: ['agents'],
      summary: 'A token that lets `soc agent enroll` register agents for one organisation',
      middleware: [requires('agent:write')] as const,
      request: {
        body: body(
          z.strictObject({
            organization_id: idSchema,
            system_id: idSchema.optional(),
            uses: z.number().int().min(1).max(10_000).default(1),
            expires_in_hours: z.number().int().min(1).max(720).default(24),
          }),
        ),
      },
      responses: {
        201: json(
          z.object({ id: z.string(), token: z.string(), expires_at: z.string(), uses: z.number() }),
          'Created',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const deps = c.get('deps');
      const p = principalOf(c);
      const input = c.req.valid('json');
      const org = await requireOrgInScope(deps, p, input.organization_id);
      const secret = issueSecret(ENROLL_PREFIX);
      const now = deps.now();
      const doc: EnrollmentTokenDoc = {
        id: secret.id,
        hash: secret.hash,
        organization: org,
        ...(input.system_id ? { system_id: input.system_id } : {}),
        uses_left: input.uses,
        expires_at: new Date(now.getTime() + input.expires_in_hours * 3_600_000).toISOString(),
        created_by: p.id,
        created_at: now.toISOString(),
      };
      await deps.es.create({
        index: deps.indices.enrollmentTokens,
        id: doc.id,
        document: doc,
        refresh: 'wait_for',
      });
      const { hash: _h, ...visible } = doc;
      Object.assign(c.get('audit'), {
        target: { type: 'enrollment_token', id: doc.id },
        organization_id: org.id,
        after: visible,
      });
      return c.json(
        { id: doc.id, token: secret.token, expires_at: doc.expires_at, uses: doc.uses_left },
        201,
      );
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/agents/enroll',
      operationId: 'enrollAgent',
      tags: ['agents'],
      summary:
        'Called by `soc agent enroll` on the host: trades an enrollment token for an agent id and its NATS credentials',
      middleware: [requires('public')] as const,
      request: {
        body: body(
          z.strictObject({
            token: z.string().max(200),
            hostname: z.string().min(1).max(255),
            version: z.string().max(50).optional(),
            os: z.string().max(200).optional(),
          }),
        ),
      },
      responses: {
        201: json(
          z.object({
            agent_id: z.string(),
            organization_id: z.string(),
            nats: z.object({
              permissions: z.object({ publish: z.array(z.string()), subscribe: z.array(z.string()) }),
              heartbeat_subject: z.string(),
              /** The agent must use it (its user may only receive there): JetStream acks arrive on it. */
              inbox_prefix: z.string(),
              /** Where the agent connects; empty when the API was not told (`api.enrollment.natsUrls`). */
              urls: z.array(z.string()),
              /**
               * The `.creds` file (user JWT + nkey seed): the agent's secret, shown this once.
               * Absent when the NATS runs without authorization.
               */
              creds: z.string().optional(),
              expires_at: z.string().optional(),
            }),
          }),
          'Enrolled',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const deps = c.get('deps');
      const input = c.req.valid('json');
      const parsed = parseSecret(ENROLL_PREFIX, input.token);
      const found =
        parsed && (await getVersioned<EnrollmentTokenDoc>(deps.es, deps.indices.enrollmentTokens, parsed.id));
      const t = found?.doc;
      const now = deps.now();
      if (
        !parsed ||
        !found ||
        !t ||
        t.revoked_at ||
        t.uses_left < 1 ||
        Date.parse(t.expires_at) <= now.getTime() ||
        !secretMatches(parsed.secret, t.hash)
      )
        throw new ApiProblem('unauthenticated', 'the enrollment token is invalid, used up or expired');
      try {
        // One use per enrollment even when hosts race with the same token.
        await deps.es.update({
          index: deps.indices.enrollmentTokens,
          id: t.id,
          doc: { uses_left: t.uses_left - 1 },
          if_seq_no: found.seqNo,
          if_primary_term: found.primaryTerm,
        });
      } catch (err) {
        if (isConflict(err)) throw new ApiProblem('conflict', 'the token was used concurrently; retry');
        throw err;
      }
      // Hex: a valid NATS subject token (no `.`, `*`, `>`), so the agent's subjects are its own.
      const id = `ag-${randomBytes(8).toString('hex')}`;
      const creds = await deps.agentCredentials?.issue(id);
      const agent: AgentDoc = {
        id,
        hostname: input.hostname,
        organization: t.organization,
        ...(t.system_id ? { system_id: t.system_id } : {}),
        ...(input.version ? { version: input.version } : {}),
        ...(input.os ? { os: input.os } : {}),
        enrolled_at: now.toISOString(),
        enrolled_with: t.id,
        ...(creds ? { nats_user: creds.publicKey } : {}),
      };
      await deps.es.create({ index: deps.indices.agents, id, document: agent, refresh: 'wait_for' });
      Object.assign(c.get('audit'), {
        actor: { kind: 'agent', id, name: input.hostname },
        target: { type: 'agent', id },
        organization_id: t.organization.id,
        after: agent,
      });
      return c.json(
        {
          agent_id: id,
          organization_id: t.organization.id,
          nats: {
            permissions: agentPermissions(id),
            heartbeat_subject: heartbeatSubject(id),
            inbox_prefix: inboxPrefix(id),
            urls: deps.agentCredentials?.urls ?? [],
            ...(creds ? { creds: creds.creds } : {}),
            ...(creds?.expiresAt ? { expires_at: new Date(creds.expiresAt * 1000).toISOString() } : {}),
          },
        },
        201,
      );
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/agents/{id}/revoke',
      operationId: 'revokeAgent',
      tags: ['agents'],
      middleware: [requires('agent:write')] as const,
      request: { params: IdParams },
      responses: { 200: json(agentSchema), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { id } = c.req.valid('param');
      const found = await loadScoped<AgentDoc>(
        deps,
        principalOf(c),
        deps.indices.agents,
        id,
        'agent',
        (a) => a.organization.id,
      );
      const next = { ...found.doc, revoked_at: found.doc.revoked_at ?? deps.now().toISOString() };
      await deps.es.index({
        index: deps.indices.agents,
        id,
        document: next,
        if_seq_no: found.seqNo,
        if_primary_term: found.primaryTerm,
        refresh: 'wait_for',
      });
      // Also on a repeated revoke: a push that failed before is retried.
      let natsRevoked = false;
      if (next.nats_user && deps.agentCredentials) {
        try {
          natsRevoked = await deps.agentCredentials.revoke(next.nats_user);
        } catch (err) {
          deps.logger.error({ err, agent: id }, 'NATS credentials not revoked');
          throw new ApiProblem(
            'unavailable',
            'the agent is revoked here, but its NATS credentials could not be revoked on the server yet; retry',
          );
        }
      }
      Object.assign(c.get('audit'), {
        target: { type: 'agent', id },
        organization_id: next.organization.id,
        before: { revoked_at: found.doc.revoked_at },
        after: { revoked_at: next.revoked_at, nats_user_revoked: natsRevoked },
      });
      return c.json(agentView(next, deps.now().getTime(), deps.heartbeatIntervalS), 200);
    },
  );
}

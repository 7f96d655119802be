import { createRoute, z } from '@hono/zod-openapi';
import { issueSecret } from '../../auth/secrets.ts';
import { ApiProblem, notFound } from '../../http/problem.ts';
import { type Router, register } from '../../http/router.ts';
import { body, errorResponses, IdParams, idSchema, json, ListQuery } from '../../http/schemas.ts';
import { API_KEY_PREFIX, type ApiKeyDoc } from '../../middleware/authenticate/index.ts';
import { principalOf, requires } from '../../middleware/authorize/index.ts';
import { PERMISSIONS } from '../../rbac/roles.ts';
import { getVersioned, hitsOf } from '../../store/es.ts';

const keySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    permissions: z.array(z.enum(PERMISSIONS)),
    organizations: z.array(z.string()),
    all_organizations: z.boolean(),
    created_by: z.string(),
    created_at: z.string(),
    expires_at: z.string().optional(),
    revoked_at: z.string().optional(),
  })
  .openapi('ApiKey');

const publicKey = ({ hash: _h, ...k }: ApiKeyDoc) => k;

/**
 * API keys for integrations: created by an admin with explicit scopes (permissions) and
 * organisations, shown once, stored as SHA-256, revocable (effective on the next request).
 * `user:admin` is never grantable, so a leaked key cannot mint users or keys.
 */
export function apiKeyRoutes(r: Router): void {
  register(
    r,
    createRoute({
      method: 'get',
      path: '/api-keys',
      operationId: 'listApiKeys',
      tags: ['api-keys'],
      middleware: [requires('user:admin')] as const,
      request: { query: ListQuery },
      responses: { 200: json(z.object({ items: z.array(keySchema) })), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { size, from } = c.req.valid('query');
      const res = await deps.es.search<ApiKeyDoc>({
        index: deps.indices.apiKeys,
        size,
        from,
        sort: [{ created_at: 'desc' }],
      });
      return c.json({ items: hitsOf(res).docs.map(publicKey) }, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/api-keys',
      operationId: 'createApiKey',
      tags: ['api-keys'],
      middleware: [requires('user:admin')] as const,
      request: {
        body: body(
          z.strictObject({
            name: z.string().min(1).max(200),
            permissions: z
              .array(
                z.enum(PERMISSIONS).refine((p) => p !== 'user:admin', 'user:admin cannot be given to a key'),
              )
              .min(1),
            organizations: z.array(idSchema).max(1000).default([]),
            all_organizations: z.boolean().default(false),
            expires_in_days: z.number().int().min(1).max(730).optional(),
          }),
        ),
      },
      responses: {
        201: json(keySchema.extend({ key: z.string().describe('shown once') }), 'Created'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const deps = c.get('deps');
      const input = c.req.valid('json');
      if (!input.all_organizations && input.organizations.length === 0)
        throw new ApiProblem('validation', 'give organizations or all_organizations', [
          { field: 'body.organizations', message: 'empty' },
        ]);
      const secret = issueSecret(API_KEY_PREFIX);
      const now = deps.now();
      const doc: ApiKeyDoc = {
        id: secret.id,
        name: input.name,
        hash: secret.hash,
        permissions: input.permissions,
        organizations: input.organizations,
        all_organizations: input.all_organizations,
        created_by: principalOf(c).id,
        created_at: now.toISOString(),
        ...(input.expires_in_days
          ? { expires_at: new Date(now.getTime() + input.expires_in_days * 86_400_000).toISOString() }
          : {}),
      };
      await deps.es.create({ index: deps.indices.apiKeys, id: doc.id, document: doc, refresh: 'wait_for' });
      Object.assign(c.get('audit'), { target: { type: 'api_key', id: doc.id }, after: publicKey(doc) });
      return c.json({ ...publicKey(doc), key: secret.token }, 201);
    },
  );

  register(
    r,
    createRoute({
      method: 'delete',
      path: '/api-keys/{id}',
      operationId: 'revokeApiKey',
      tags: ['api-keys'],
      middleware: [requires('user:admin')] as const,
      request: { params: IdParams },
      responses: { 200: json(keySchema), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { id } = c.req.valid('param');
      const found = await getVersioned<ApiKeyDoc>(deps.es, deps.indices.apiKeys, id);
      if (!found) throw notFound('API key');
      const next = { ...found.doc, revoked_at: found.doc.revoked_at ?? deps.now().toISOString() };
      await deps.es.index({ index: deps.indices.apiKeys, id, document: next, refresh: 'wait_for' });
      Object.assign(c.get('audit'), {
        target: { type: 'api_key', id },
        before: publicKey(found.doc),
        after: publicKey(next),
      });
      return c.json(publicKey(next), 200);
    },
  );
}

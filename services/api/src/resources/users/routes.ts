import { createRoute, z } from '@hono/zod-openapi';
import { hashPassword } from '../../auth/passwords.ts';
import { ApiProblem, notFound } from '../../http/problem.ts';
import { type Router, register } from '../../http/router.ts';
import { body, errorResponses, IdParams, idSchema, json, ListQuery } from '../../http/schemas.ts';
import { requires } from '../../middleware/authorize/index.ts';
import { ROLES } from '../../rbac/roles.ts';
import { getVersioned, hitsOf } from '../../store/es.ts';
import { emailSchema, passwordSchema, publicUser, type UserDoc, userSchema } from './model.ts';
import { createUser, membershipProblem } from './store.ts';

const membership = {
  roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
  organizations: z.array(idSchema).max(1000),
  all_organizations: z.boolean(),
};

/** Users are administered by admins only (admins span every organisation). */
export function userRoutes(r: Router): void {
  register(
    r,
    createRoute({
      method: 'get',
      path: '/users',
      operationId: 'listUsers',
      tags: ['users'],
      middleware: [requires('user:admin')] as const,
      request: { query: ListQuery },
      responses: {
        200: json(z.object({ items: z.array(userSchema), total: z.number() })),
        ...errorResponses,
      },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { size, from } = c.req.valid('query');
      const res = await deps.es.search<UserDoc>({
        index: deps.indices.users,
        size,
        from,
        sort: [{ id: 'asc' }],
      });
      const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
      return c.json({ items: hitsOf(res).docs.map(publicUser), total }, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/users',
      operationId: 'createUser',
      tags: ['users'],
      middleware: [requires('user:admin')] as const,
      request: {
        body: body(
          z.strictObject({
            email: emailSchema,
            name: z.string().min(1).max(200),
            password: passwordSchema,
            ...membership,
            all_organizations: membership.all_organizations.default(false),
          }),
        ),
      },
      responses: { 201: json(userSchema, 'Created'), ...errorResponses, 409: { description: 'Email taken' } },
    }),
    async (c) => {
      const deps = c.get('deps');
      const input = c.req.valid('json');
      const why = membershipProblem(input);
      if (why) throw new ApiProblem('validation', why, [{ field: 'body.all_organizations', message: why }]);
      const user = await createUser(deps.es, deps.indices.users, input, deps.now());
      if (!user) throw new ApiProblem('conflict', 'a user with this email exists');
      const out = publicUser(user);
      Object.assign(c.get('audit'), { target: { type: 'user', id: user.id }, after: out });
      return c.json(out, 201);
    },
  );

  register(
    r,
    createRoute({
      method: 'patch',
      path: '/users/{id}',
      operationId: 'updateUser',
      tags: ['users'],
      summary: 'Change roles, organisations, name, password; disable or unlock',
      middleware: [requires('user:admin')] as const,
      request: {
        params: IdParams,
        body: body(
          z.strictObject({
            name: z.string().min(1).max(200).optional(),
            password: passwordSchema.optional(),
            roles: membership.roles.optional(),
            organizations: membership.organizations.optional(),
            all_organizations: z.boolean().optional(),
            disabled: z.boolean().optional(),
            unlock: z.literal(true).optional(),
          }),
        ),
      },
      responses: { 200: json(userSchema), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const found = await getVersioned<UserDoc>(deps.es, deps.indices.users, id);
      if (!found) throw notFound('user');
      const before = found.doc;
      const next: UserDoc = {
        ...before,
        ...(patch.name ? { name: patch.name } : {}),
        ...(patch.roles ? { roles: patch.roles } : {}),
        ...(patch.organizations ? { organizations: patch.organizations } : {}),
        ...(patch.all_organizations !== undefined ? { all_organizations: patch.all_organizations } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
        ...(patch.password ? { password_hash: await hashPassword(patch.password) } : {}),
        ...(patch.unlock ? { failed_logins: 0, locked_until: undefined } : {}),
        updated_at: deps.now().toISOString(),
      };
      const why = membershipProblem(next);
      if (why) throw new ApiProblem('validation', why);
      await deps.es.index({
        index: deps.indices.users,
        id,
        document: JSON.parse(JSON.stringify(next)),
        if_seq_no: found.seqNo,
        if_primary_term: found.primaryTerm,
        refresh: 'wait_for',
      });
      const out = publicUser(next);
      Object.assign(c.get('audit'), {
        target: { type: 'user', id },
        before: publicUser(before),
        after: { ...out, password_changed: Boolean(patch.password) },
      });
      return c.json(out, 200);
    },
  );
}

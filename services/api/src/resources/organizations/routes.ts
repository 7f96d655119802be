import { createRoute, z } from '@hono/zod-openapi';
import { ORGANIZATION_KINDS, type Organization, organizationSchema } from '@soc/core';
import { newId } from '../../auth/secrets.ts';
import { type Router, register } from '../../http/router.ts';
import { body, errorResponses, IdParams, idSchema, json, ListQuery } from '../../http/schemas.ts';
import { principalOf, requires } from '../../middleware/authorize/index.ts';
import { orgFilter } from '../../rbac/principal.ts';
import { hitsOf } from '../../store/es.ts';
import { loadScoped } from '../../store/scoped.ts';

const contact = z.strictObject({
  name: z.string().min(1).max(200),
  role: z.string().max(200).optional(),
  email: z.email().optional(),
  phone: z.string().max(50).optional(),
});

const fields = {
  name: z.string().min(1).max(300),
  code: z.string().max(50).optional(),
  kind: z.enum(ORGANIZATION_KINDS).default('agency'),
  parent_id: idSchema.optional(),
  contacts: z.array(contact).max(50).default([]),
};

const orgOut = z.object(organizationSchema.shape).openapi('Organization');

export function organizationRoutes(r: Router): void {
  register(
    r,
    createRoute({
      method: 'get',
      path: '/organizations',
      operationId: 'listOrganizations',
      tags: ['organizations'],
      middleware: [requires('org:read')] as const,
      request: { query: ListQuery },
      responses: { 200: json(z.object({ items: z.array(orgOut) })), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { size, from } = c.req.valid('query');
      const res = await deps.es.search<Organization>({
        index: deps.indices.organizations,
        size,
        from,
        query: { bool: { filter: orgFilter(principalOf(c), 'id') } },
        sort: [{ 'name.raw': 'asc' }],
      });
      return c.json({ items: hitsOf(res).docs }, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'get',
      path: '/organizations/{id}',
      operationId: 'getOrganization',
      tags: ['organizations'],
      middleware: [requires('org:read')] as const,
      request: { params: IdParams },
      responses: { 200: json(orgOut), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { id } = c.req.valid('param');
      const found = await loadScoped<Organization>(
        deps,
        principalOf(c),
        deps.indices.organizations,
        id,
        'organisation',
        (o) => o.id,
      );
      return c.json(found.doc, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/organizations',
      operationId: 'createOrganization',
      tags: ['organizations'],
      middleware: [requires('org:write')] as const,
      request: { body: body(z.strictObject({ id: idSchema.optional(), ...fields })) },
      responses: { 201: json(orgOut, 'Created'), ...errorResponses, 409: { description: 'Id taken' } },
    }),
    async (c) => {
      const deps = c.get('deps');
      const input = c.req.valid('json');
      const t = deps.now().toISOString();
      const doc: Organization = { ...input, id: input.id ?? newId(), created_at: t, updated_at: t };
      await deps.es.create({
        index: deps.indices.organizations,
        id: doc.id,
        document: doc,
        refresh: 'wait_for',
      });
      Object.assign(c.get('audit'), {
        target: { type: 'organization', id: doc.id },
        organization_id: doc.id,
        after: doc,
      });
      return c.json(doc, 201);
    },
  );

  register(
    r,
    createRoute({
      method: 'patch',
      path: '/organizations/{id}',
      operationId: 'updateOrganization',
      tags: ['organizations'],
      middleware: [requires('org:write')] as const,
      request: {
        params: IdParams,
        body: body(
          z.strictObject({
            name: fields.name.optional(),
            code: fields.code,
            kind: z.enum(ORGANIZATION_KINDS).optional(),
            parent_id: fields.parent_id,
            contacts: z.array(contact).max(50).optional(),
          }),
        ),
      },
      responses: { 200: json(orgOut), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { id } = c.req.valid('param');
      const found = await loadScoped<Organization>(
        deps,
        principalOf(c),
        deps.indices.organizations,
        id,
        'organisation',
        (o) => o.id,
      );
      const next = { ...found.doc, ...c.req.valid('json'), updated_at: deps.now().toISOString() };
      await deps.es.index({
        index: deps.indices.organizations,
        id,
        document: next,
        if_seq_no: found.seqNo,
        if_primary_term: found.primaryTerm,
        refresh: 'wait_for',
      });
      Object.assign(c.get('audit'), {
        target: { type: 'organization', id },
        organization_id: id,
        before: found.doc,
        after: next,
      });
      return c.json(next, 200);
    },
  );
}

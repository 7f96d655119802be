import { createRoute, z } from '@hono/zod-openapi';
import { ASSESSMENT_RESULTS, type InformationSystem, systemSchema } from '@soc/core';
import { newId } from '../../auth/secrets.ts';
import { type Router, register } from '../../http/router.ts';
import { body, errorResponses, IdParams, idSchema, json, ListQuery, okSchema } from '../../http/schemas.ts';
import { principalOf, requires } from '../../middleware/authorize/index.ts';
import { orgFilter } from '../../rbac/principal.ts';
import { getDoc, hitsOf } from '../../store/es.ts';
import { loadScoped, requireOrgInScope } from '../../store/scoped.ts';
import { putSystemAssets, removeSystemAssets } from './registry.ts';

const cidrOrIp = z
  .string()
  .max(64)
  .regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'an IP address or CIDR range');
const contact = z.strictObject({
  name: z.string().min(1).max(200),
  role: z.string().max(200).optional(),
  email: z.email().optional(),
  phone: z.string().max(50).optional(),
});

/** Fields a client sets; lists are optional in a change (absent = unchanged), empty on creation. */
const fields = {
  name: z.string().min(1).max(300),
  description: z.string().max(5000),
  security_level: z.number().int().min(1).max(5),
  level_approved_on: z.iso.date(),
  hosts: z.array(z.string().min(1).max(255)).max(10_000),
  ip_ranges: z.array(cidrOrIp).max(10_000),
  domains: z.array(z.string().min(1).max(255)).max(1000),
  public_ip_ranges: z.array(cidrOrIp).max(1000),
  registered_with_ncsc_on: z.iso.date(),
  layer1_contacts: z.array(contact).max(50),
};

const editable = {
  ...fields,
  description: fields.description.optional(),
  level_approved_on: fields.level_approved_on.optional(),
  hosts: fields.hosts.default([]),
  ip_ranges: fields.ip_ranges.default([]),
  domains: fields.domains.default([]),
  public_ip_ranges: fields.public_ip_ranges.default([]),
  registered_with_ncsc_on: fields.registered_with_ncsc_on.optional(),
  layer1_contacts: fields.layer1_contacts.default([]),
};

/**
 * A change names only what changes. Built from `fields`, not `editable`: a default there
 * would fill every absent list with [] and a PATCH of the level would wipe the hosts.
 */
const patchable = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])) as {
  [K in keyof typeof fields]: z.ZodOptional<(typeof fields)[K]>;
};

const systemOut = z.object(systemSchema.shape).openapi('InformationSystem');
const SystemQuery = ListQuery.extend({
  organization_id: idSchema.optional(),
  security_level: z.coerce.number().int().min(1).max(5).optional(),
});

const orgOfSystem = (s: InformationSystem) => s.organization.id;

export function systemRoutes(r: Router): void {
  register(
    r,
    createRoute({
      method: 'get',
      path: '/systems',
      operationId: 'listSystems',
      tags: ['systems'],
      middleware: [requires('system:read')] as const,
      request: { query: SystemQuery },
      responses: { 200: json(z.object({ items: z.array(systemOut) })), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const q = c.req.valid('query');
      const filter: object[] = [...orgFilter(principalOf(c), 'organization.id')];
      // A client-named organisation only narrows what the scope filter already allows.
      if (q.organization_id) filter.push({ term: { 'organization.id': q.organization_id } });
      if (q.security_level) filter.push({ term: { security_level: q.security_level } });
      const res = await deps.es.search<InformationSystem>({
        index: deps.indices.systems,
        size: q.size,
        from: q.from,
        query: { bool: { filter } },
        sort: [{ 'name.raw': 'asc' }],
      });
      return c.json({ items: hitsOf(res).docs }, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'get',
      path: '/systems/{id}',
      operationId: 'getSystem',
      tags: ['systems'],
      middleware: [requires('system:read')] as const,
      request: { params: IdParams },
      responses: { 200: json(systemOut), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const found = await loadScoped(
        deps,
        principalOf(c),
        deps.indices.systems,
        c.req.valid('param').id,
        'system',
        orgOfSystem,
      );
      return c.json(found.doc as InformationSystem, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/systems',
      operationId: 'createSystem',
      tags: ['systems'],
      middleware: [requires('system:write')] as const,
      request: {
        body: body(z.strictObject({ id: idSchema.optional(), organization_id: idSchema, ...editable })),
      },
      responses: { 201: json(systemOut, 'Created'), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { organization_id, id, ...input } = c.req.valid('json');
      const org = await requireOrgInScope(deps, principalOf(c), organization_id);
      const t = deps.now().toISOString();
      const doc: InformationSystem = {
        ...input,
        id: id ?? newId(),
        organization: org,
        assessments: [],
        created_at: t,
        updated_at: t,
      };
      await deps.es.create({ index: deps.indices.systems, id: doc.id, document: doc, refresh: 'wait_for' });
      await putSystemAssets(deps, doc);
      Object.assign(c.get('audit'), {
        target: { type: 'system', id: doc.id },
        organization_id: org.id,
        after: doc,
      });
      return c.json(doc, 201);
    },
  );

  register(
    r,
    createRoute({
      method: 'patch',
      path: '/systems/{id}',
      operationId: 'updateSystem',
      tags: ['systems'],
      summary: 'Change a system; its owner organisation cannot be changed here',
      middleware: [requires('system:write')] as const,
      request: {
        params: IdParams,
        body: body(z.strictObject(patchable)),
      },
      responses: { 200: json(systemOut), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { id } = c.req.valid('param');
      const found = await loadScoped(deps, principalOf(c), deps.indices.systems, id, 'system', orgOfSystem);
      const patch = Object.fromEntries(
        Object.entries(c.req.valid('json')).filter(([, v]) => v !== undefined),
      );
      const next = { ...found.doc, ...patch, updated_at: deps.now().toISOString() } as InformationSystem;
      await deps.es.index({
        index: deps.indices.systems,
        id,
        document: next,
        if_seq_no: found.seqNo,
        if_primary_term: found.primaryTerm,
        refresh: 'wait_for',
      });
      await putSystemAssets(deps, next);
      Object.assign(c.get('audit'), {
        target: { type: 'system', id },
        organization_id: next.organization.id,
        before: found.doc,
        after: next,
      });
      return c.json(next, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'delete',
      path: '/systems/{id}',
      operationId: 'deleteSystem',
      tags: ['systems'],
      summary:
        'Delete a system; its hosts and ranges leave the asset registry (events stop being enriched with it)',
      middleware: [requires('system:write')] as const,
      request: { params: IdParams },
      responses: { 200: json(okSchema), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { id } = c.req.valid('param');
      const found = await loadScoped(deps, principalOf(c), deps.indices.systems, id, 'system', orgOfSystem);
      await removeSystemAssets(deps, id);
      try {
        await deps.es.delete({
          index: deps.indices.systems,
          id,
          if_seq_no: found.seqNo,
          if_primary_term: found.primaryTerm,
          refresh: 'wait_for',
        });
      } catch (err) {
        // Changed meanwhile (409) or Elasticsearch failed: the system stays, so must its registry entry.
        const now = await getDoc<InformationSystem>(deps.es, deps.indices.systems, id).catch(() => undefined);
        if (now) await putSystemAssets(deps, now).catch(() => {});
        throw err;
      }
      Object.assign(c.get('audit'), {
        target: { type: 'system', id },
        organization_id: found.doc.organization.id,
        before: found.doc,
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/systems/{id}/assessments',
      operationId: 'recordAssessment',
      tags: ['systems'],
      summary: 'Record a layer-3 independent assessment',
      middleware: [requires('assessment:write')] as const,
      request: {
        params: IdParams,
        body: body(
          z.strictObject({
            assessor: z.string().min(1).max(300),
            date: z.iso.date(),
            result: z.enum(ASSESSMENT_RESULTS),
            findings: z.string().max(20_000).optional(),
            next_due: z.iso.date().optional(),
          }),
        ),
      },
      responses: { 201: json(systemOut, 'Recorded'), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const found = await loadScoped(deps, p, deps.indices.systems, id, 'system', orgOfSystem);
      const assessment = {
        ...c.req.valid('json'),
        id: newId(),
        recorded_by: p.id,
        recorded_at: deps.now().toISOString(),
      };
      const next = {
        ...found.doc,
        assessments: [...found.doc.assessments, assessment],
        updated_at: assessment.recorded_at,
      };
      await deps.es.index({
        index: deps.indices.systems,
        id,
        document: next,
        if_seq_no: found.seqNo,
        if_primary_term: found.primaryTerm,
        refresh: 'wait_for',
      });
      Object.assign(c.get('audit'), {
        target: { type: 'system', id },
        organization_id: next.organization.id,
        after: { assessment },
      });
      return c.json(next, 201);
    },
  );
}

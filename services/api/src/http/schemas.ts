import { z } from '@hono/zod-openapi';

/** Shared request pieces. Ids are opaque, bounded and safe in a URL and an Elasticsearch `_id`. */
export const idSchema = z.string().regex(/^[A-Za-z0-9_.:@-]{1,254}$/, 'an id of letters, digits and _.:@-');
export const IdParams = z.object({ id: idSchema.openapi({ param: { name: 'id', in: 'path' } }) });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const problemContent = { 'application/problem+json': { schema: problemSchema } };

/** The error answers every route may give, documented once. */
export const errorResponses = {
  400: { description: 'Invalid request', content: problemContent },
  401: { description: 'Not authenticated', content: problemContent },
  403: { description: 'Not allowed', content: problemContent },
  404: { description: 'Not found (or in an organisation the caller cannot see)', content: problemContent },
} as const;

export function json<T extends z.ZodType>(schema: T, description = 'OK') {
  return { description, content: { 'application/json': { schema } } };
}

export function body<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

/** A page of a small collection (organisations, systems, users…). */
export const ListQuery = z.strictObject({
  size: z.coerce.number().int().min(1).max(1000).default(100),
  from: z.coerce.number().int().min(0).max(9000).default(0),
});

export const okSchema = z.object({ ok: z.literal(true) });

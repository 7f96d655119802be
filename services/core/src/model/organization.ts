import { z } from 'zod';

/**
 * An organisation (agency: sở, ban, ngành, UBND huyện/xã, or an enterprise): the unit of
 * per-organisation isolation. Every document a user may see carries `organization.id`
 * (alerts, systems, agents, events as `soc.organization.id`, cases later).
 */
export const ORGANIZATION_KINDS = ['agency', 'district', 'commune', 'enterprise', 'soc', 'other'] as const;

export const organizationSchema = z.object({
  id: z.string(),
  name: z.string().min(1).max(300),
  /** Short code used in reports to the national centre (mã đơn vị). */
  code: z.string().max(50).optional(),
  kind: z.enum(ORGANIZATION_KINDS).default('agency'),
  /** The organisation above it (a district's province department…), for roll-up reports. */
  parent_id: z.string().optional(),
  contacts: z
    .array(
      z.object({
        name: z.string().max(200),
        role: z.string().max(200).optional(),
        email: z.email().optional(),
        phone: z.string().max(50).optional(),
      }),
    )
    .max(50)
    .default([]),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
export type Organization = z.output<typeof organizationSchema>;

const kw = { type: 'keyword' } as const;
export const ORGANIZATION_MAPPING = {
  dynamic: 'strict',
  properties: {
    id: kw,
    name: { type: 'text', fields: { raw: kw } },
    code: kw,
    kind: kw,
    parent_id: kw,
    contacts: { type: 'object', enabled: false },
    created_at: { type: 'date' },
    updated_at: { type: 'date' },
  },
} as const;

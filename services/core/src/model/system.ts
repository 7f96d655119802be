import { z } from 'zod';

/**
 * An information system (hệ thống thông tin, HTTT): what everything is attached to. The
 * four-layer model lives here: layer 1 contacts (the owner's on-site force), layer 2 is the
 * SOC monitoring it (agents, alerts), layer 3 the independent assessments with dates and
 * results, layer 4 the public IP ranges registered with the national centre.
 *
 * `hosts`/`ip_ranges` are what ingest's asset registry matches events against
 * (`assetRecordOfSystem` in `asset.ts` gives its `assetRecordSchema` shape; the API keeps
 * the registry in step with every change), so events carry
 * `soc.system.id`, `soc.organization.id` and `soc.security_level`.
 */
export const ASSESSMENT_RESULTS = ['pass', 'pass_with_findings', 'fail'] as const;

const cidrOrIp = z
  .string()
  .max(64)
  .regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'an IP address or CIDR range');

export const contactSchema = z.object({
  name: z.string().min(1).max(200),
  role: z.string().max(200).optional(),
  email: z.email().optional(),
  phone: z.string().max(50).optional(),
});

export const assessmentSchema = z.object({
  id: z.string(),
  /** Who assessed (an organisation independent of layer 2). */
  assessor: z.string().min(1).max(300),
  date: z.iso.date(),
  result: z.enum(ASSESSMENT_RESULTS),
  findings: z.string().max(20_000).optional(),
  /** When the next one is due: at least yearly (Decree 85/2016). */
  next_due: z.iso.date().optional(),
  recorded_by: z.string(),
  recorded_at: z.iso.datetime(),
});

export const systemSchema = z.object({
  id: z.string(),
  name: z.string().min(1).max(300),
  description: z.string().max(5000).optional(),
  /** Owner organisation (chủ quản). */
  organization: z.object({ id: z.string(), name: z.string().optional() }),
  /** Cấp độ 1–5 (Decree 85/2016/NĐ-CP); 3 and above requires layer-2 monitoring. */
  security_level: z.number().int().min(1).max(5),
  /** Date the level was approved (quyết định phê duyệt cấp độ), if any. */
  level_approved_on: z.iso.date().optional(),
  hosts: z.array(z.string().min(1).max(255)).max(10_000).default([]),
  ip_ranges: z.array(cidrOrIp).max(10_000).default([]),
  domains: z.array(z.string().min(1).max(255)).max(1000).default([]),
  /** Layer 4: public ranges registered with the national monitoring centre. */
  public_ip_ranges: z.array(cidrOrIp).max(1000).default([]),
  registered_with_ncsc_on: z.iso.date().optional(),
  /** Layer 1: the owner's on-site force. */
  layer1_contacts: z.array(contactSchema).max(50).default([]),
  /** Layer 3: independent periodic assessments, newest last. */
  assessments: z.array(assessmentSchema).max(1000).default([]),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
export type InformationSystem = z.output<typeof systemSchema>;

const kw = { type: 'keyword' } as const;
export const SYSTEM_MAPPING = {
  dynamic: 'strict',
  properties: {
    id: kw,
    name: { type: 'text', fields: { raw: kw } },
    description: { type: 'text' },
    organization: { properties: { id: kw, name: kw } },
    security_level: { type: 'byte' },
    level_approved_on: { type: 'date' },
    hosts: kw,
    ip_ranges: kw,
    domains: kw,
    public_ip_ranges: kw,
    registered_with_ncsc_on: { type: 'date' },
    layer1_contacts: { type: 'object', enabled: false },
    assessments: {
      type: 'nested',
      properties: {
        id: kw,
        assessor: kw,
        date: { type: 'date' },
        result: kw,
        findings: { type: 'text' },
        next_due: { type: 'date' },
        recorded_by: kw,
        recorded_at: { type: 'date' },
      },
    },
    created_at: { type: 'date' },
    updated_at: { type: 'date' },
  },
} as const;

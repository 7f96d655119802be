/**
 * The agency and information systems of the demo `npm start` runs, so its alerts arrive as
 * an analyst sees real ones: with the owner organisation, the system and its security level
 * (`soc.*`), visible to that agency's own users. Written before the services start (the API
 * feeds ingest's and detection's asset registry from the systems at its start), created only
 * when absent: an edit made through the API survives the next start.
 */
import type { Client } from '@elastic/elasticsearch';
import {
  ensureIndex,
  type InformationSystem,
  indexDefinition,
  ORGANIZATION_MAPPING,
  type Organization,
  organizationSchema,
  type SocIndices,
  SYSTEM_MAPPING,
  systemSchema,
} from '@soc/core';

/** The portal server of the demo: its SSH and web logs name it, and the demo agent runs as it. */
export const DEMO_PORTAL_HOST = 'cong-thong-tin-01';
/** The accounting workstation whose Sysmon log carries the PowerShell download. */
export const DEMO_WORKSTATION = 'pc-ketoan-03.ubnd.gov.vn';

export function demoData(now: Date): { organizations: Organization[]; systems: InformationSystem[] } {
  const at = now.toISOString();
  const org = organizationSchema.parse({
    id: 'demo-vp-ubnd',
    name: 'Văn phòng Ủy ban nhân dân tỉnh (demo)',
    code: 'VP-UBND',
    kind: 'agency',
    contacts: [{ name: 'Nguyễn Văn An', role: 'Phụ trách CNTT', email: 'cntt@ubnd.example.gov.vn' }],
    created_at: at,
    updated_at: at,
  });
  const owner = { id: org.id, name: org.name };
  const systems = [
    systemSchema.parse({
      id: 'demo-cong-thong-tin',
      name: 'Cổng thông tin điện tử tỉnh (demo)',
      organization: owner,
      security_level: 3,
      hosts: [DEMO_PORTAL_HOST],
      domains: ['congthongtin.example.gov.vn'],
      public_ip_ranges: ['198.51.100.16/28'],
      layer1_contacts: [{ name: 'Trần Thị Bình', role: 'Quản trị hệ thống', phone: '0200 3800 000' }],
      created_at: at,
      updated_at: at,
    }),
    systemSchema.parse({
      id: 'demo-mang-noi-bo',
      name: 'Mạng nội bộ Văn phòng UBND (demo)',
      organization: owner,
      security_level: 2,
      hosts: [DEMO_WORKSTATION],
      ip_ranges: ['10.10.0.0/16'],
      created_at: at,
      updated_at: at,
    }),
  ];
  return { organizations: [org], systems };
}

/** Creates what is missing; returns how many documents it wrote. */
export async function seedDemoData(es: Client, ix: SocIndices, now = new Date()): Promise<number> {
  const { organizations, systems } = demoData(now);
  await ensureIndex(es, indexDefinition(ix.organizations, ORGANIZATION_MAPPING));
  await ensureIndex(es, indexDefinition(ix.systems, SYSTEM_MAPPING));
  let written = 0;
  const create = async (index: string, id: string, document: object) => {
    try {
      await es.create({ index, id, document, refresh: 'wait_for' });
      written++;
    } catch (err) {
      if ((err as { meta?: { statusCode?: number } }).meta?.statusCode !== 409) throw err;
    }
  };
  for (const o of organizations) await create(ix.organizations, o.id, o);
  for (const s of systems) await create(ix.systems, s.id, s);
  return written;
}

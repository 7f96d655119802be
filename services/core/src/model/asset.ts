import type { InformationSystem } from './system.ts';

/**
 * The asset registry (`<prefix>-assets`): the contract between the API, which writes one
 * document per information system whenever the system changes, and ingest and detection,
 * which read the whole index into memory and enrich every event with `soc.*` from it
 * (`AssetRegistry` in @soc/normalize validates each document with `assetRecordSchema`).
 *
 * One document per system, `_id` = the system id, so a change overwrites and a deletion
 * removes exactly that system's hosts and ranges.
 */
export interface AssetRecordDoc {
  id: string;
  hostnames: string[];
  ips: string[];
  system: { id: string; name?: string };
  organization: { id: string; name?: string };
  security_level: number;
  updated?: string;
}

export function assetRecordOfSystem(s: InformationSystem): AssetRecordDoc {
  return {
    id: s.id,
    hostnames: s.hosts,
    // Layer-4 public ranges are the system's own addresses too: events seen from them belong to it.
    ips: [...s.ip_ranges, ...s.public_ip_ranges],
    system: { id: s.id, name: s.name },
    organization: s.organization,
    security_level: s.security_level,
    updated: s.updated_at,
  };
}

const kw = { type: 'keyword' } as const;
/** Created by whichever of ingest or the API starts first; identical in both. */
export const ASSET_MAPPING = {
  dynamic: 'strict',
  properties: {
    id: kw,
    hostnames: kw,
    ips: kw,
    system: { properties: { id: kw, name: kw } },
    organization: { properties: { id: kw, name: kw } },
    security_level: { type: 'byte' },
    updated: { type: 'date' },
  },
} as const;

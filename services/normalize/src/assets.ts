import { isIP } from 'node:net';
import { z } from 'zod';
import { type EcsDoc, get, put } from './doc.ts';
import { canonicalIp } from './ip.ts';

/**
 * The asset registry: which information system (HTTT) a host belongs to, its owner
 * organisation and its security level (cấp độ 1–5, Decree 85/2016). Documents are enriched
 * under `soc.*` so detection, per-organisation isolation, retention and compliance reports
 * read one place:
 *
 *   soc.asset.known          true when the registry knows the host, false otherwise (never dropped)
 *   soc.asset.id             the registry entry's id
 *   soc.asset.matched_by     host.name | host.ip | observer.hostname | observer.ip | agent.name
 *   soc.system.id / .name    the information system
 *   soc.organization.id / .name   the owner organisation (chủ quản)
 *   soc.security_level       1–5
 */
export const SOC_FIELDS = [
  'soc.asset.known',
  'soc.asset.id',
  'soc.asset.matched_by',
  'soc.system.id',
  'soc.system.name',
  'soc.organization.id',
  'soc.organization.name',
  'soc.security_level',
] as const;

/** One registry entry, as stored in the assets index (validated: a bad entry is skipped, not fatal). */
export const assetRecordSchema = z.object({
  id: z.string().min(1),
  /** Host names (case-insensitive; the short name before the first dot matches too). */
  hostnames: z.array(z.string().min(1)).default([]),
  /** Addresses and CIDR ranges. */
  ips: z.array(z.string().min(1)).default([]),
  system: z.object({ id: z.string().min(1), name: z.string().optional() }),
  organization: z.object({ id: z.string().min(1), name: z.string().optional() }),
  security_level: z.number().int().min(1).max(5),
});
export type AssetRecord = z.output<typeof assetRecordSchema>;
export type AssetInfo = AssetRecord & { matchedBy: string };

interface Range {
  bytes: Uint8Array;
  prefix: number;
  asset: AssetRecord;
}

function ipBytes(ip: string): Uint8Array | undefined {
  const c = canonicalIp(ip);
  if (!c) return undefined;
  if (isIP(c) === 4) return Uint8Array.from(c.split('.').map(Number));
  // expand `::` then read eight 16-bit groups
  const [head, tail] = c.includes('::') ? c.split('::') : [c, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = Number.parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 255;
  });
  return out;
}

function inRange(ip: Uint8Array, r: Range): boolean {
  if (ip.length !== r.bytes.length) return false;
  let bits = r.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip[i]! & mask) !== (r.bytes[i]! & mask)) return false;
  }
  return true;
}

/** An in-memory snapshot of the registry: exact lookups by name and address, then ranges (longest prefix). */
export class AssetRegistry {
  readonly #byName = new Map<string, AssetRecord>();
  readonly #byIp = new Map<string, AssetRecord>();
  readonly #ranges: Range[] = [];
  readonly size: number;

  constructor(records: Iterable<AssetRecord>) {
    let n = 0;
    for (const a of records) {
      n++;
      for (const h of a.hostnames) this.#byName.set(h.toLowerCase(), a);
      for (const entry of a.ips) {
        const [addr, len] = entry.split('/');
        const ip = canonicalIp(addr);
        if (!ip) continue;
        if (len === undefined) {
          this.#byIp.set(ip, a);
          continue;
        }
        const bytes = ipBytes(ip);
        const prefix = Number(len);
        if (bytes && Number.isInteger(prefix) && prefix >= 0 && prefix <= bytes.length * 8)
          this.#ranges.push({ bytes, prefix, asset: a });
      }
    }
    this.#ranges.sort((x, y) => y.prefix - x.prefix);
    this.size = n;
  }

  /** Reads raw registry documents, keeping the valid ones; returns the rejects' reasons too. */
  static fromDocuments(docs: Iterable<unknown>): { registry: AssetRegistry; rejected: string[] } {
    const ok: AssetRecord[] = [];
    const rejected: string[] = [];
    for (const d of docs) {
      const r = assetRecordSchema.safeParse(d);
      if (r.success) ok.push(r.data);
      else rejected.push(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    return { registry: new AssetRegistry(ok), rejected };
  }

  byName(name: string): AssetRecord | undefined {
    const n = name.toLowerCase();
    return this.#byName.get(n) ?? this.#byName.get(n.split('.')[0]!);
  }

  byIp(ip: string): AssetRecord | undefined {
    const c = canonicalIp(ip);
    if (!c) return undefined;
    const exact = this.#byIp.get(c);
    if (exact) return exact;
    const bytes = ipBytes(c);
    return bytes ? this.#ranges.find((r) => inRange(bytes, r))?.asset : undefined;
  }

  /** The asset an event is about: its host first, then the device that observed it, then the agent's host. */
  lookup(doc: EcsDoc): AssetInfo | undefined {
    const names: [string, unknown][] = [
      ['host.name', get(doc, 'host.name')],
      ['host.hostname', get(doc, 'host.hostname')],
    ];
    for (const [by, v] of names)
      if (typeof v === 'string') {
        const a = this.byName(v);
        if (a) return { ...a, matchedBy: by };
      }
    for (const by of ['host.ip', 'observer.ip']) {
      for (const v of [get(doc, by)].flat()) {
        if (typeof v !== 'string') continue;
        const a = this.byIp(v);
        if (a) return { ...a, matchedBy: by };
      }
    }
    for (const by of ['observer.hostname', 'agent.name']) {
      const v = get(doc, by);
      const a = typeof v === 'string' ? this.byName(v) : undefined;
      if (a) return { ...a, matchedBy: by };
    }
    return undefined;
  }
}

/** Adds `soc.*` to a document (see the field list above); unknown assets are flagged, not dropped. */
export function enrich(doc: EcsDoc, registry: AssetRegistry | undefined): AssetInfo | undefined {
  const a = registry?.lookup(doc);
  put(doc, 'soc.asset.known', a !== undefined);
  if (!a) return undefined;
  put(doc, 'soc.asset.id', a.id);
  put(doc, 'soc.asset.matched_by', a.matchedBy);
  put(doc, 'soc.system.id', a.system.id);
  put(doc, 'soc.system.name', a.system.name);
  put(doc, 'soc.organization.id', a.organization.id);
  put(doc, 'soc.organization.name', a.organization.name);
  put(doc, 'soc.security_level', a.security_level);
  return a;
}

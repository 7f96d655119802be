import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Threat-intelligence indicators from the three formats agencies receive them in (the
 * national centre and CERTs share STIX 2.1 bundles, MISP feeds, or plain CSV). Every parser
 * keeps what it can and reports the rest: a bad line never rejects a feed.
 */
export const INDICATOR_TYPES = ['ip', 'cidr', 'domain', 'url', 'md5', 'sha1', 'sha256'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

export interface Indicator {
  id: string;
  type: IndicatorType;
  /** Normalised: lower-case domains and hashes, canonical addresses, networks as `addr/len`. */
  value: string;
  /** Who published it (feed or organisation name). */
  source: string;
  /** 0–100. */
  confidence: number;
  /** Epoch ms after which it no longer matches; undefined: never expires. */
  validUntil?: number;
  description?: string;
}

export interface ParseResult {
  indicators: Indicator[];
  problems: string[];
}

const HASH_LENGTHS: Record<number, IndicatorType> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

/** Normalises a value of a type; undefined when it is not one. */
export function normaliseIndicator(type: IndicatorType, raw: string): string | undefined {
  const v = raw.trim();
  switch (type) {
    case 'ip':
      return isIP(v) ? v.toLowerCase() : undefined;
    case 'cidr': {
      const [addr, len] = v.split('/');
      const n = Number(len);
      const fam = isIP(addr ?? '');
      if (!fam || !Number.isInteger(n) || n < 0 || n > (fam === 4 ? 32 : 128)) return undefined;
      return `${addr!.toLowerCase()}/${n}`;
    }
    case 'domain':
      return /^[a-z0-9_.-]+\.[a-z0-9-]{2,}$/i.test(v) ? v.toLowerCase().replace(/\.$/, '') : undefined;
    case 'url':
      return /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(v) ? v : undefined;
    default:
      return /^[0-9a-f]+$/i.test(v) && HASH_LENGTHS[v.length] === type ? v.toLowerCase() : undefined;
  }
}

const confidence = (n: unknown, dflt: number) => {
  const x = Number(n);
  return Number.isFinite(x) ? Math.max(0, Math.min(100, Math.round(x))) : dflt;
};
const time = (s: unknown): number | undefined => {
  if (typeof s !== 'string' || !s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
};

// --- STIX 2.1 ------------------------------------------------------------------------------
const stixBundle = z.object({
  type: z.literal('bundle'),
  objects: z.array(z.looseObject({ type: z.string(), id: z.string() })),
});
const stixIndicator = z.looseObject({
  type: z.literal('indicator'),
  id: z.string(),
  pattern: z.string(),
  pattern_type: z.string().default('stix'),
  confidence: z.number().optional(),
  valid_until: z.string().optional(),
  revoked: z.boolean().optional(),
  created_by_ref: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
});
const STIX_PATHS: [RegExp, (v: string) => IndicatorType | undefined][] = [
  [/^(ipv4-addr|ipv6-addr):value$/, (v) => (v.includes('/') ? 'cidr' : 'ip')],
  [/^domain-name:value$/, () => 'domain'],
  [/^url:value$/, () => 'url'],
  [/^file:hashes\.'?(MD5|SHA-1|SHA-256)'?$/i, (v) => HASH_LENGTHS[v.length]],
];

/** Comparisons `path = 'value'` of a STIX pattern, joined by OR (AND patterns are not single indicators). */
export function parseStix(json: unknown, feed = 'stix'): ParseResult {
  const out: ParseResult = { indicators: [], problems: [] };
  const b = stixBundle.safeParse(json);
  if (!b.success) return { indicators: [], problems: ['not a STIX 2.1 bundle'] };
  const names = new Map(
    b.data.objects
      .filter((o) => o.type === 'identity')
      .map((o) => [o.id, String((o as { name?: unknown }).name ?? o.id)]),
  );
  for (const o of b.data.objects) {
    if (o.type !== 'indicator') continue;
    const p = stixIndicator.safeParse(o);
    if (!p.success || p.data.pattern_type !== 'stix' || p.data.revoked) {
      out.problems.push(
        `${o.id}: skipped (${p.success ? 'revoked or not a STIX pattern' : 'invalid indicator'})`,
      );
      continue;
    }
    const ind = p.data;
    if (/\bAND\b|\bFOLLOWEDBY\b/.test(ind.pattern)) {
      out.problems.push(`${ind.id}: compound pattern (AND) is not a single indicator`);
      continue;
    }
    const comparisons = [...ind.pattern.matchAll(/([a-z0-9-]+:[A-Za-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\.)*)'/g)];
    if (!comparisons.length)
      out.problems.push(`${ind.id}: no supported comparison in ${ind.pattern.slice(0, 100)}`);
    for (const [, path, raw] of comparisons) {
      const value = raw!.replace(/\\(.)/g, '$1');
      const type = STIX_PATHS.find(([re]) => re.test(path!))?.[1](value);
      const norm = type && normaliseIndicator(type, value);
      if (!type || !norm) {
        out.problems.push(`${ind.id}: unsupported ${path} = ${value.slice(0, 80)}`);
        continue;
      }
      out.indicators.push({
        id: ind.id,
        type,
        value: norm,
        source: (ind.created_by_ref && names.get(ind.created_by_ref)) || feed,
        confidence: confidence(ind.confidence, 50),
        validUntil: time(ind.valid_until),
        description: ind.name ?? ind.description,
      });
    }
  }
  return out;
}

// --- MISP feed (event JSON) -----------------------------------------------------------------
const MISP_TYPES: Record<string, IndicatorType> = {
  'ip-src': 'ip',
  'ip-dst': 'ip',
  domain: 'domain',
  hostname: 'domain',
  url: 'url',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
};
/** MISP threat levels (1 high … 4 undefined) as a confidence, when the attribute has none. */
const MISP_LEVEL: Record<string, number> = { '1': 90, '2': 70, '3': 50, '4': 30 };
const mispEvent = z.object({
  Event: z.looseObject({
    uuid: z.string().optional(),
    info: z.string().optional(),
    threat_level_id: z.union([z.string(), z.number()]).optional(),
    Orgc: z.looseObject({ name: z.string() }).optional(),
    Attribute: z
      .array(
        z.looseObject({
          type: z.string(),
          value: z.string(),
          uuid: z.string().optional(),
          to_ids: z.boolean().optional(),
          comment: z.string().optional(),
        }),
      )
      .default([]),
  }),
});

export function parseMisp(json: unknown, feed = 'misp'): ParseResult {
  const out: ParseResult = { indicators: [], problems: [] };
  const e = mispEvent.safeParse(json);
  if (!e.success) return { indicators: [], problems: ['not a MISP event'] };
  const ev = e.data.Event;
  const conf = MISP_LEVEL[String(ev.threat_level_id ?? '4')] ?? 30;
  for (const a of ev.Attribute) {
    if (a.to_ids === false) continue; // MISP's own "not for detection" flag
    const [kind, raw] = a.type.includes('|')
      ? [a.type.split('|')[0]!, a.value.split('|')[0]!]
      : [a.type, a.value];
    const type = MISP_TYPES[kind];
    const value = type && normaliseIndicator(type === 'ip' && raw.includes('/') ? 'cidr' : type, raw);
    if (!type || !value) {
      out.problems.push(`${a.uuid ?? a.value.slice(0, 40)}: unsupported ${a.type}`);
      continue;
    }
    out.indicators.push({
      id: a.uuid ?? `${ev.uuid}:${a.value}`,
      type: type === 'ip' && raw.includes('/') ? 'cidr' : type,
      value,
      source: ev.Orgc?.name ?? feed,
      confidence: conf,
      description: a.comment || ev.info,
    });
  }
  return out;
}

// --- CSV: type,value[,confidence[,valid_until[,source[,description]]]] ----------------------
export function parseCsv(text: string, feed = 'csv'): ParseResult {
  const out: ParseResult = { indicators: [], problems: [] };
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.startsWith('#') || (i === 0 && /^type,value/i.test(line))) return;
    const cols = line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    const type = cols[0]?.toLowerCase() as IndicatorType;
    const value = INDICATOR_TYPES.includes(type) ? normaliseIndicator(type, cols[1] ?? '') : undefined;
    if (!value) {
      out.problems.push(`line ${i + 1}: not an indicator: ${line.slice(0, 80)}`);
      return;
    }
    out.indicators.push({
      id: `${feed}:${i + 1}`,
      type,
      value,
      confidence: confidence(cols[2], 50),
      validUntil: time(cols[3]),
      source: cols[4] || feed,
      description: cols.slice(5).join(',') || undefined,
    });
  });
  return out;
}

/** Picks the parser from the file's content: a STIX bundle, a MISP event (or a list of them), else CSV. */
export function parseFeed(text: string, feed: string): ParseResult {
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(t);
    } catch (err) {
      return { indicators: [], problems: [`invalid JSON: ${(err as Error).message.slice(0, 200)}`] };
    }
    if (Array.isArray(json)) {
      const all: ParseResult = { indicators: [], problems: [] };
      for (const j of json) {
        const r = parseMisp(j, feed);
        all.indicators.push(...r.indicators);
        all.problems.push(...r.problems);
      }
      return all;
    }
    return (json as { type?: unknown }).type === 'bundle' ? parseStix(json, feed) : parseMisp(json, feed);
  }
  return parseCsv(text, feed);
}

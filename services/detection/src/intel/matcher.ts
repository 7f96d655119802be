import { isIP } from 'node:net';
import { valuesAtPath } from '../exceptions.ts';
import type { Indicator } from './indicators.ts';

/** Event fields read per indicator kind (ECS). */
const FIELDS = {
  ip: ['source.ip', 'destination.ip', 'client.ip', 'server.ip', 'related.ip'],
  domain: ['dns.question.name', 'url.domain', 'destination.domain', 'source.domain', 'server.domain'],
  url: ['url.original', 'url.full'],
  hash: [
    'file.hash.md5',
    'file.hash.sha1',
    'file.hash.sha256',
    'process.hash.md5',
    'process.hash.sha1',
    'process.hash.sha256',
    'dll.hash.sha256',
    'related.hash',
  ],
} as const;

export interface IntelMatch {
  indicator: Indicator;
  field: string;
  value: string;
}

/** An address as a BigInt and its width, or undefined. */
function ipBits(ip: string): { n: bigint; width: number } | undefined {
  const fam = isIP(ip);
  if (fam === 4) return { n: ip.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n), width: 32 };
  if (fam !== 6) return undefined;
  const [h, t] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const head = h ? h.split(':') : [];
  const tail = t ? t.split(':') : [];
  if (tail.at(-1)?.includes('.') || head.at(-1)?.includes('.')) return undefined; // IPv4-embedded: rare in feeds
  const groups =
    t === undefined ? head : [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail];
  return { n: groups.reduce((a, g) => (a << 16n) | BigInt(Number.parseInt(g || '0', 16)), 0n), width: 128 };
}

/**
 * Indicators indexed for constant-time matching: a hash map per kind (exact addresses, URLs,
 * hashes), domains by themselves and each parent (a few labels), networks by prefix length
 * (at most 33 or 129 lookups, fixed, whatever the number of indicators). Expired indicators
 * are skipped at match time and dropped by `prune`.
 */
export class IntelIndex {
  readonly #exact = new Map<string, Indicator[]>();
  readonly #nets = new Map<number, Map<string, Indicator[]>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(ind: Indicator): void {
    this.#size++;
    if (ind.type === 'cidr') {
      const [addr, len] = ind.value.split('/');
      const b = ipBits(addr!);
      if (!b) return;
      const key = `${b.width}:${len}`;
      const masked = this.#mask(b, Number(len));
      const m = this.#nets.get(Number(len) + (b.width === 128 ? 1000 : 0)) ?? new Map();
      m.set(`${key}:${masked}`, [...(m.get(`${key}:${masked}`) ?? []), ind]);
      this.#nets.set(Number(len) + (b.width === 128 ? 1000 : 0), m);
      return;
    }
    const key = `${ind.type === 'md5' || ind.type === 'sha1' || ind.type === 'sha256' ? 'hash' : ind.type}:${ind.value}`;
    this.#exact.set(key, [...(this.#exact.get(key) ?? []), ind]);
  }

  #mask(b: { n: bigint; width: number }, len: number): string {
    const shift = BigInt(b.width - len);
    return ((b.n >> shift) << shift).toString(16);
  }

  #lookup(kind: string, value: string): Indicator[] {
    return this.#exact.get(`${kind}:${value}`) ?? [];
  }

  match(doc: unknown, nowMs = Date.now()): IntelMatch[] {
    const out: IntelMatch[] = [];
    const seen = new Set<string>();
    const push = (inds: Indicator[], field: string, value: string) => {
      for (const indicator of inds) {
        if (indicator.validUntil !== undefined && indicator.validUntil < nowMs) continue;
        // one indicator object can carry several values (a STIX OR): each is its own match
        const key = `${indicator.id}\u0000${indicator.type}:${indicator.value}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ indicator, field, value });
      }
    };
    const strings = (path: string) =>
      valuesAtPath(doc, path).filter((v): v is string => typeof v === 'string');
    for (const f of FIELDS.ip)
      for (const ip of strings(f)) {
        push(this.#lookup('ip', ip.toLowerCase()), f, ip);
        const b = this.#nets.size ? ipBits(ip.toLowerCase()) : undefined;
        if (b)
          for (const [k, m] of this.#nets) {
            const len = k >= 1000 ? k - 1000 : k;
            if (k >= 1000 !== (b.width === 128)) continue;
            push(m.get(`${b.width}:${len}:${this.#mask(b, len)}`) ?? [], f, ip);
          }
      }
    for (const f of FIELDS.domain)
      for (const d of strings(f)) {
        const labels = d.toLowerCase().replace(/\.$/, '').split('.');
        for (let i = 0; i < labels.length - 1; i++)
          push(this.#lookup('domain', labels.slice(i).join('.')), f, d);
      }
    for (const f of FIELDS.url) for (const u of strings(f)) push(this.#lookup('url', u), f, u);
    for (const f of FIELDS.hash)
      for (const h of strings(f)) push(this.#lookup('hash', h.toLowerCase()), f, h);
    return out;
  }

  /** Drops expired indicators; returns how many. */
  prune(nowMs = Date.now()): number {
    let n = 0;
    const keep = (list: Indicator[]) => {
      const kept = list.filter((i) => i.validUntil === undefined || i.validUntil >= nowMs);
      n += list.length - kept.length;
      return kept;
    };
    for (const [k, v] of this.#exact) {
      const kept = keep(v);
      if (kept.length) this.#exact.set(k, kept);
      else this.#exact.delete(k);
    }
    for (const m of this.#nets.values())
      for (const [k, v] of m) {
        const kept = keep(v);
        if (kept.length) m.set(k, kept);
        else m.delete(k);
      }
    this.#size -= n;
    return n;
  }
}

import { isIP } from 'node:net';

/**
 * The canonical text of an IP address, or undefined when it is not one. Elasticsearch refuses
 * leading zeros (`010.1.2.3`) and the detection engine would read them as decimal, so the
 * writer contract asks for one spelling: dotted decimal for IPv4 (also IPv4-mapped IPv6),
 * lowercase compressed form for IPv6.
 */
export function canonicalIp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (isCanonicalV4(value)) return value;
  let text = value.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone > 0) text = text.slice(0, zone);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const parts = v4.slice(1).map((p) => Number.parseInt(p, 10));
    return parts.every((p) => p <= 255) ? parts.join('.') : undefined;
  }
  // Most values asked about are host names: without a colon nothing is IPv6, and isIP's
  // IPv6 regular expression is the expensive part of this function.
  if (!text.includes(':') || isIP(text) !== 6) return undefined;
  try {
    // The WHATWG URL parser canonicalises IPv6 (compression, lowercase, embedded IPv4).
    const host = new URL(`http://[${text}]/`).hostname.slice(1, -1);
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
    if (mapped) {
      const hi = Number.parseInt(mapped[1]!, 16);
      const lo = Number.parseInt(mapped[2]!, 16);
      return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    }
    return host;
  } catch {
    return undefined;
  }
}

/**
 * True for dotted-decimal IPv4 already in canonical form (four parts, 0–255, no leading zero):
 * most addresses in events are, and answering that with one pass over the characters spares
 * the regular expression and the rebuilt string.
 */
function isCanonicalV4(s: string): boolean {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255) return false;
      parts++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return false;
      value = value * 10 + (c - 48);
      if (++digits > 3) return false;
    } else return false;
  }
  return parts === 4;
}

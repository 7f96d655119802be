import { isIP } from 'node:net';

/**
 * The canonical text of an IP address, or undefined when it is not one. Elasticsearch refuses
 * leading zeros (`010.1.2.3`) and the detection engine would read them as decimal, so the
 * writer contract asks for one spelling: dotted decimal for IPv4 (also IPv4-mapped IPv6),
 * lowercase compressed form for IPv6.
 */
export function canonicalIp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
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

import { add, categorize, type EcsDoc, int, merge, put } from '../doc.ts';
import { canonicalIp } from '../ip.ts';
import { iso, parseIso } from '../time.ts';
import { ParseError, type ParseInput, type Parser } from '../types.ts';
import { looksLikeSyslog, parseSyslogHeader } from './syslog/header.ts';

/**
 * IBM QRadar's Log Event Extended Format: `LEEF:1.0|Vendor|Product|Version|EventID|` then
 * tab-separated `key=value`; LEEF 2.0 adds a delimiter field after EventID (a character or
 * its hex code, `x09` or `^`).
 */
const MAP: Record<string, string> = {
  src: 'source.ip',
  srcPort: 'source.port',
  srcMAC: 'source.mac',
  dst: 'destination.ip',
  dstPort: 'destination.port',
  dstMAC: 'destination.mac',
  proto: 'network.transport',
  usrName: 'user.name',
  identHostName: 'host.name',
  identSrc: 'source.ip',
  action: 'event.action',
  cat: 'leef.category',
  url: 'url.original',
  method: 'http.request.method',
  userAgent: 'user_agent.original',
  srcBytes: 'source.bytes',
  dstBytes: 'destination.bytes',
  msg: 'message',
  reason: 'event.reason',
};
const INT_FIELDS = new Set(['source.port', 'destination.port', 'source.bytes', 'destination.bytes']);
const IP_FIELDS = new Set(['source.ip', 'destination.ip']);

function delimiter(spec: string): string {
  if (/^x[0-9a-f]{2,4}$/i.test(spec)) return String.fromCharCode(Number.parseInt(spec.slice(1), 16));
  if (/^0x[0-9a-f]{2,4}$/i.test(spec)) return String.fromCharCode(Number.parseInt(spec.slice(2), 16));
  return spec || '\t';
}

export function parseLeefBody(body: string, input: ParseInput): EcsDoc {
  const at = body.indexOf('LEEF:');
  if (at < 0) throw new ParseError('not LEEF');
  const text = body.slice(at + 5);
  const fields = text.split('|');
  if (fields.length < 6) throw new ParseError(`LEEF header has ${fields.length - 1} of 5 fields`);
  const version = fields[0]!;
  const v2 = version.startsWith('2');
  const headerCount = v2 ? 6 : 5;
  const [, vendor, product, devVersion, eventId] = fields;
  const sep = v2 ? delimiter(fields[5] ?? '') : '\t';
  const attrs = fields.slice(headerCount).join('|');
  const doc: EcsDoc = {};
  put(doc, 'leef.version', version);
  put(doc, 'observer.vendor', vendor);
  put(doc, 'observer.product', product);
  put(doc, 'observer.version', devVersion);
  put(doc, 'event.code', eventId);
  const kv: Record<string, string> = {};
  for (const pair of attrs.split(sep)) {
    const eq = pair.indexOf('=');
    if (eq > 0) kv[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  for (const [k, v] of Object.entries(kv)) {
    put(doc, `leef.attributes.${k.replace(/\./g, '_')}`, v);
    const field = MAP[k];
    if (!field) continue;
    if (INT_FIELDS.has(field)) put(doc, field, int(v));
    else if (IP_FIELDS.has(field)) put(doc, field, canonicalIp(v));
    else if (field === 'network.transport') put(doc, field, v.toLowerCase());
    else put(doc, field, v);
  }
  const sev = int(kv.sev);
  put(doc, 'event.severity', sev);
  if (kv.devTime) {
    const t = /^\d{12,14}$/.test(kv.devTime)
      ? Number(kv.devTime)
      : (parseIso(kv.devTime, input.timeZone) ?? Date.parse(kv.devTime));
    put(doc, '@timestamp', iso(Number.isNaN(t) ? undefined : t));
  }
  add(doc, 'related.ip', (doc.source as { ip?: string } | undefined)?.ip);
  add(doc, 'related.ip', (doc.destination as { ip?: string } | undefined)?.ip);
  categorize(doc, { kind: 'event', category: kv.src || kv.dst ? 'network' : undefined, type: 'info' });
  put(doc, 'event.module', 'leef');
  put(doc, 'event.dataset', 'leef.log');
  return doc;
}

export const leefParser: Parser = {
  id: 'leef',
  sniff: (input) => input.line !== undefined && /^(?:<\d{1,3}>)?[^|]{0,200}?LEEF:[12]\.\d\|/.test(input.line),
  parse(input) {
    const text = input.line ?? '';
    const at = text.indexOf('LEEF:');
    const doc: EcsDoc = {};
    if (at > 0 && looksLikeSyslog(text)) {
      const h = parseSyslogHeader(text, input);
      put(doc, '@timestamp', iso(h.timeMs));
      put(doc, 'observer.hostname', h.hostname);
    }
    return merge(doc, parseLeefBody(text.slice(Math.max(at, 0)), input));
  },
};

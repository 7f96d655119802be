import { add, categorize, type EcsDoc, int, merge, put } from '../doc.ts';
import { canonicalIp } from '../ip.ts';
import { iso, parseIso } from '../time.ts';
import { ParseError, type ParseInput, type Parser } from '../types.ts';
import { looksLikeSyslog, parseSyslogHeader } from './syslog/header.ts';

/**
 * ArcSight Common Event Format:
 * `CEF:Version|Vendor|Product|Version|Signature ID|Name|Severity|k=v k2=v2 …`, alone or as
 * the message of a syslog line. Header fields escape `|` and `\`; extension values escape
 * `=`, `\`, and write newlines as `\n`.
 */

const EXTENSION_MAP: Record<string, string> = {
  src: 'source.ip',
  spt: 'source.port',
  shost: 'source.domain',
  smac: 'source.mac',
  suser: 'source.user.name',
  dst: 'destination.ip',
  dpt: 'destination.port',
  dhost: 'destination.domain',
  dmac: 'destination.mac',
  duser: 'destination.user.name',
  dvc: 'observer.ip',
  dvchost: 'observer.hostname',
  deviceExternalId: 'observer.serial_number',
  proto: 'network.transport',
  app: 'network.protocol',
  act: 'event.action',
  outcome: 'event.outcome',
  msg: 'message',
  request: 'url.original',
  requestMethod: 'http.request.method',
  requestClientApplication: 'user_agent.original',
  fname: 'file.name',
  filePath: 'file.path',
  fileHash: 'file.hash.sha256',
  fsize: 'file.size',
  in: 'source.bytes',
  out: 'destination.bytes',
  sproc: 'process.name',
  spid: 'process.pid',
  dproc: 'process.name',
  dpid: 'process.pid',
  deviceInboundInterface: 'observer.ingress.interface.name',
  deviceOutboundInterface: 'observer.egress.interface.name',
  cat: 'cef.category',
  externalId: 'event.id',
  reason: 'event.reason',
};
const INT_FIELDS = new Set([
  'source.port',
  'destination.port',
  'source.bytes',
  'destination.bytes',
  'process.pid',
]);
const IP_FIELDS = new Set(['source.ip', 'destination.ip', 'observer.ip']);
const SEVERITY_WORDS: Record<string, number> = { unknown: 0, low: 3, medium: 6, high: 8, 'very-high': 10 };
/** Products whose events are firewall events for Sigma's `category: firewall`. */
const FIREWALLS =
  /firewall|fortigate|fortios|asa|pan-?os|palo alto|check ?point|pfsense|srx|sophos xg|sonicwall/i;

function splitHeader(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && (text[i + 1] === '|' || text[i + 1] === '\\')) {
      cur += text[++i];
    } else if (c === '|' && parts.length < 7) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

/** `k=v k2=v with spaces k3=v` → pairs; a key is a word followed by an unescaped `=`. */
export function parseExtension(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const keys = [...text.matchAll(/(?:^|\s)([A-Za-z0-9_.[\]-]+)=/g)].filter((m) => {
    // `\=` inside a value is not a key boundary
    const at = m.index! + m[0].length - 1;
    return text[at - 1] !== '\\';
  });
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const start = k.index! + k[0].length;
    const end = i + 1 < keys.length ? keys[i + 1]!.index! : text.length;
    out[k[1]!] = text
      .slice(start, end)
      .replace(/\s+$/, '')
      .replace(/\\([=\\|])/g, '$1')
      .replace(/\\n/g, '\n')
      .replace(/\\r/g, '\r');
  }
  return out;
}

function cefTime(value: string | undefined, timeZone: string): string | undefined {
  if (!value) return undefined;
  if (/^\d{12,14}$/.test(value)) return iso(Number(value));
  const iso8601 = parseIso(value, timeZone);
  if (iso8601 !== undefined) return iso(iso8601);
  // `MMM dd yyyy HH:mm:ss[.SSS] [zone]`
  const t = Date.parse(`${value}${/[A-Z]{3}$|[+-]\d{4}$/.test(value) ? '' : ' UTC'}`);
  return Number.isNaN(t) ? undefined : iso(t);
}

export function parseCefBody(body: string, input: ParseInput): EcsDoc {
  const at = body.indexOf('CEF:');
  if (at < 0) throw new ParseError('not CEF');
  const parts = splitHeader(body.slice(at + 4));
  if (parts.length < 8) throw new ParseError(`CEF header has ${parts.length - 1} of 7 fields`);
  const [version, vendor, product, devVersion, sigId, name, severity, ext] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const doc: EcsDoc = {};
  put(doc, 'cef.version', version.trim());
  put(doc, 'observer.vendor', vendor);
  put(doc, 'observer.product', product);
  put(doc, 'observer.version', devVersion);
  put(doc, 'event.code', sigId);
  put(doc, 'cef.name', name);
  put(doc, 'message', name);
  const sev = int(severity) ?? SEVERITY_WORDS[severity.trim().toLowerCase()];
  put(doc, 'event.severity', sev);
  if (FIREWALLS.test(`${vendor} ${product}`)) put(doc, 'observer.type', 'firewall');
  const extension = parseExtension(ext);
  // cs1=value cs1Label=name: labelled custom strings keep their label as the key.
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(extension)) if (k.endsWith('Label')) labels[k.slice(0, -5)] = v;
  for (const [k, v] of Object.entries(extension)) {
    if (k.endsWith('Label')) continue;
    put(doc, `cef.extensions.${(labels[k] ?? k).replace(/\./g, '_')}`, v);
    const field = EXTENSION_MAP[k];
    if (!field) continue;
    if (INT_FIELDS.has(field)) put(doc, field, int(v));
    else if (IP_FIELDS.has(field)) put(doc, field, canonicalIp(v));
    else if (field === 'network.transport' || field === 'event.outcome') put(doc, field, v.toLowerCase());
    else put(doc, field, v);
  }
  put(doc, '@timestamp', cefTime(extension.rt ?? extension.end ?? extension.start, input.timeZone));
  for (const f of ['source.ip', 'destination.ip']) {
    const ip = (doc as Record<string, Record<string, unknown>>)[f.split('.')[0]!]?.ip;
    add(doc, 'related.ip', ip);
  }
  put(doc, 'user.name', extension.suser);
  categorize(doc, {
    kind: 'event',
    category: extension.src || extension.dst ? 'network' : undefined,
    type: 'info',
  });
  put(doc, 'event.module', 'cef');
  put(doc, 'event.dataset', 'cef.log');
  return doc;
}

function cefText(input: ParseInput): string | undefined {
  return input.line ?? (typeof input.event?.message === 'string' ? input.event.message : undefined);
}

export const cefParser: Parser = {
  id: 'cef',
  sniff: (input) => {
    const t = cefText(input);
    return t !== undefined && /^(?:<\d{1,3}>)?[^|]{0,200}?CEF:\d+\|/.test(t);
  },
  parse(input) {
    const text = cefText(input) ?? '';
    const at = text.indexOf('CEF:');
    const doc: EcsDoc = {};
    if (at > 0 && looksLikeSyslog(text)) {
      // CEF over syslog: the header names the sending device.
      const h = parseSyslogHeader(text, input);
      put(doc, '@timestamp', iso(h.timeMs));
      put(doc, 'observer.hostname', h.hostname);
    }
    const body = parseCefBody(text.slice(Math.max(at, 0)), input);
    return merge(doc, body);
  },
};

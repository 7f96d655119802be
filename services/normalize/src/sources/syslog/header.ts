import { type EcsDoc, int, put } from '../../doc.ts';
import { iso, monthNumber, parseIso, validDate, yearless } from '../../time.ts';
import type { ParseInput } from '../../types.ts';
import { ParseError } from '../../types.ts';

export const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];
export const SEVERITIES = [
  'emergency',
  'alert',
  'critical',
  'error',
  'warning',
  'notice',
  'informational',
  'debug',
];

/** The fields of a syslog header, whichever of the three spellings it came in. */
export interface SyslogHeader {
  format: 'rfc5424' | 'rfc3164' | 'file';
  priority?: number;
  timeMs?: number;
  hostname?: string;
  app?: string;
  pid?: string;
  msgid?: string;
  version?: number;
  structuredData?: Record<string, Record<string, string>>;
  message: string;
}

const PRI = /^<(\d{1,3})>/;
// RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]
const RFC5424 = /^(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?[^\\]\](?:\[.*?[^\\]\])*)(?: ([\s\S]*))?$/;
// BSD: `Mmm dd hh:mm:ss[.frac]` or an RFC 3339 time (rsyslog's high-precision file format)
const BSD_TIME = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?: (\d{4}))? /;
const ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) /;
// TAG: program name, optional [pid], then ':'; a missing tag leaves the whole rest as message
const TAG = /^([^\s:[\]]{1,128})(?:\[([^\]\s]{1,32})\])?: ?([\s\S]*)$/;

/** Whether a line starts like syslog in any of the spellings this parser reads. */
export function looksLikeSyslog(line: string): boolean {
  return PRI.test(line) || BSD_TIME.test(line) || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\S* \S+ \S/.test(line);
}

export function parseSyslogHeader(line: string, input: ParseInput): SyslogHeader {
  let rest = line;
  let priority: number | undefined;
  const pri = PRI.exec(rest);
  if (pri) {
    priority = Number.parseInt(pri[1]!, 10);
    if (priority > 191) throw new ParseError(`syslog priority out of range: ${priority}`);
    rest = rest.slice(pri[0].length);
  }
  if (pri && /^\d{1,2} /.test(rest)) return rfc5424(rest, priority, input);
  return bsd(rest, priority, pri ? 'rfc3164' : 'file', input);
}

function rfc5424(rest: string, priority: number | undefined, input: ParseInput): SyslogHeader {
  const m = RFC5424.exec(rest);
  if (!m) throw new ParseError('malformed RFC 5424 header');
  const [, version, ts, host, app, procid, msgid, sd, msg] = m;
  const nil = (v: string | undefined) => (v === '-' ? undefined : v);
  const timeMs = ts === '-' ? undefined : parseIso(ts, input.timeZone);
  if (ts !== '-' && timeMs === undefined) throw new ParseError(`bad RFC 5424 timestamp: ${ts?.slice(0, 40)}`);
  return {
    format: 'rfc5424',
    priority,
    version: Number(version),
    timeMs,
    hostname: nil(host),
    app: nil(app),
    pid: nil(procid),
    msgid: nil(msgid),
    structuredData: sd === '-' ? undefined : parseStructuredData(sd!),
    // A UTF-8 BOM marks the message as UTF-8 (RFC 5424 §6.4); it is not part of the text.
    message: (msg ?? '').replace(/^\uFEFF/, ''),
  };
}

/** `[id k="v" k2="v\"q"][id2 …]` → { id: { k: 'v', k2: 'v"q' }, id2: … }. */
export function parseStructuredData(sd: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  const element = /\[([^\s\]=]+)((?:\s+[^\s=\]]+="(?:[^"\\]|\\.)*")*)\s*\]/g;
  for (const m of sd.matchAll(element)) {
    const params: Record<string, string> = {};
    for (const p of m[2]!.matchAll(/([^\s=\]]+)="((?:[^"\\]|\\.)*)"/g))
      params[p[1]!] = p[2]!.replace(/\\(["\\\]])/g, '$1');
    // `.` would make an object path in Elasticsearch: keep the SD-ID as one key.
    out[m[1]!.replace(/\./g, '_')] = params;
  }
  return out;
}

function bsd(rest: string, priority: number | undefined, format: 'rfc3164' | 'file', input: ParseInput) {
  let timeMs: number | undefined;
  let after: string;
  const t = BSD_TIME.exec(rest);
  const i = t ? undefined : ISO_TIME.exec(rest);
  if (t) {
    const [, mon, day, hh, mm, ss, frac, year] = t;
    const month = monthNumber(mon!);
    const f = { month: month ?? 0, day: +day!, hour: +hh!, minute: +mm!, second: +ss! };
    if (!month || !validDate(f)) throw new ParseError(`bad syslog timestamp: ${t[0].trim()}`);
    const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
    timeMs = year
      ? parseIso(
          `${year}-${String(month).padStart(2, '0')}-${day!.padStart(2, '0')}T${hh}:${mm}:${ss}`,
          input.timeZone,
        )
      : yearless(month, f.day, [f.hour, f.minute, f.second], input.observedMs, input.timeZone, ms);
    after = rest.slice(t[0].length);
  } else if (i) {
    timeMs = parseIso(i[1], input.timeZone);
    if (timeMs === undefined) throw new ParseError(`bad syslog timestamp: ${i[1]}`);
    after = rest.slice(i[0].length);
  } else if (priority !== undefined) {
    // `<13>message` with no header at all (some devices): the whole rest is the message.
    return { format, priority, message: rest } satisfies SyslogHeader;
  } else {
    throw new ParseError('no syslog header');
  }
  // HOSTNAME then TAG; a device that omits the hostname goes straight to `prog:`.
  const sp = after.indexOf(' ');
  let hostname: string | undefined;
  let body = after;
  const first = sp > 0 ? after.slice(0, sp) : after;
  if (sp > 0 && !first.endsWith(':') && !/[[\]]/.test(first)) {
    hostname = first;
    body = after.slice(sp + 1);
  }
  const tag = TAG.exec(body);
  return {
    format,
    priority,
    timeMs,
    hostname,
    app: tag?.[1],
    pid: tag?.[2],
    message: tag ? tag[3]! : body,
  } satisfies SyslogHeader;
}

/** The header as ECS: log.syslog.*, host.hostname, process.name/pid, @timestamp. */
export function headerFields(h: SyslogHeader): EcsDoc {
  const doc: EcsDoc = {};
  put(doc, '@timestamp', iso(h.timeMs));
  if (h.priority !== undefined) {
    const facility = h.priority >> 3;
    const severity = h.priority & 7;
    put(doc, 'log.syslog.priority', h.priority);
    put(doc, 'log.syslog.facility.code', facility);
    put(doc, 'log.syslog.facility.name', FACILITIES[facility]);
    put(doc, 'log.syslog.severity.code', severity);
    put(doc, 'log.syslog.severity.name', SEVERITIES[severity]);
    put(doc, 'log.level', SEVERITIES[severity]);
  }
  put(doc, 'log.syslog.version', h.version === undefined ? undefined : String(h.version));
  put(doc, 'log.syslog.hostname', h.hostname);
  put(doc, 'log.syslog.appname', h.app);
  put(doc, 'log.syslog.procid', h.pid);
  put(doc, 'log.syslog.msgid', h.msgid);
  if (h.structuredData && Object.keys(h.structuredData).length)
    put(doc, 'log.syslog.structured_data', h.structuredData);
  put(doc, 'host.hostname', h.hostname);
  put(doc, 'host.name', h.hostname);
  put(doc, 'process.name', h.app);
  put(doc, 'process.pid', int(h.pid));
  put(doc, 'message', h.message);
  return doc;
}

import { categorize, type EcsDoc, int, put } from '../../doc.ts';
import { canonicalIp } from '../../ip.ts';
import { fromLocal, iso, monthNumber } from '../../time.ts';
import { ParseError, type ParseInput, type Parser } from '../../types.ts';

/**
 * Error logs. nginx: `2026/03/11 10:00:00 [error] 1234#5678: *9 message, client: 1.2.3.4,
 * server: x, request: "GET / HTTP/1.1", host: "x"`. Apache 2.4: `[Wed Mar 11 10:00:00.123456
 * 2026] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00126: message`; 2.2 has no
 * module, pid or port. Both are local time without a zone.
 */
const NGINX =
  /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) \[(\w+)\] (\d+)#(\d+): (?:\*(\d+) )?([\s\S]*)$/;
const APACHE =
  /^\[\w{3} (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? (\d{4})\] \[(?:([\w-]+):)?(\w+)\](?: \[pid (\d+)(?::tid (\d+))?\])?(?: \[client ([^\]]+)\])? ([\s\S]*)$/;

export function looksLikeError(line: string): 'nginx' | 'apache' | undefined {
  if (/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} \[\w+\] \d+#\d+:/.test(line)) return 'nginx';
  if (/^\[\w{3} \w{3} \d{1,2} \d{2}:\d{2}:\d{2}(\.\d+)? \d{4}\] \[/.test(line)) return 'apache';
  return undefined;
}

function client(doc: EcsDoc, text: string | undefined): void {
  if (!text) return;
  const m = /^\[?([0-9a-fA-F:.]+?)\]?(?::(\d+))?$/.exec(text.trim());
  const ip = canonicalIp(m?.[1]) ?? canonicalIp(text);
  put(doc, 'source.ip', ip);
  put(doc, 'source.port', ip && m?.[2] ? int(m[2]) : undefined);
}

export function parseNginxError(line: string, timeZone: string): EcsDoc {
  const m = NGINX.exec(line);
  if (!m) throw new ParseError('not an nginx error line');
  const [, y, mo, d, h, mi, s, level, pid, tid, conn, rest] = m;
  const doc: EcsDoc = {};
  put(
    doc,
    '@timestamp',
    iso(fromLocal({ year: +y!, month: +mo!, day: +d!, hour: +h!, minute: +mi!, second: +s! }, timeZone)),
  );
  put(doc, 'log.level', level);
  put(doc, 'process.pid', int(pid));
  put(doc, 'process.thread.id', int(tid));
  put(doc, 'nginx.error.connection_id', conn);
  // `, client: …, server: …, request: "…", host: "…"` trails the message
  const tail =
    /^([\s\S]*?)(?:, client: ([^,]+))?(?:, server: ([^,]*))?(?:, request: "((?:[^"\\]|\\.)*)")?(?:, upstream: "[^"]*")?(?:, host: "([^"]*)")?(?:, referrer: "([^"]*)")?$/.exec(
      rest!,
    );
  put(doc, 'message', tail?.[1] ?? rest);
  client(doc, tail?.[2]);
  put(doc, 'nginx.error.server', tail?.[3]);
  const req = tail?.[4] ? /^(\S+) (\S+)(?: HTTP\/(\S+))?/.exec(tail[4]) : undefined;
  put(doc, 'http.request.method', req?.[1]);
  put(doc, 'url.original', req?.[2]);
  put(doc, 'http.version', req?.[3]);
  put(doc, 'url.domain', tail?.[5]);
  put(doc, 'http.request.referrer', tail?.[6]);
  categorize(doc, { kind: 'event', category: 'web', type: 'error' });
  put(doc, 'event.module', 'nginx');
  put(doc, 'event.dataset', 'nginx.error');
  return doc;
}

export function parseApacheError(line: string, timeZone: string): EcsDoc {
  const m = APACHE.exec(line);
  if (!m) throw new ParseError('not an Apache error line');
  const [, mon, d, h, mi, s, frac, y, module, level, pid, tid, cli, rest] = m;
  const month = monthNumber(mon!);
  if (!month) throw new ParseError(`bad month: ${mon}`);
  const doc: EcsDoc = {};
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  put(
    doc,
    '@timestamp',
    iso(fromLocal({ year: +y!, month, day: +d!, hour: +h!, minute: +mi!, second: +s!, ms }, timeZone)),
  );
  put(doc, 'log.level', level);
  put(doc, 'apache.error.module', module);
  put(doc, 'process.pid', int(pid));
  put(doc, 'process.thread.id', int(tid));
  client(doc, cli);
  const code = /^(AH\d{5}): ([\s\S]*)$/.exec(rest!);
  put(doc, 'error.code', code?.[1]);
  put(doc, 'message', code ? code[2] : rest);
  categorize(doc, { kind: 'event', category: 'web', type: 'error' });
  put(doc, 'event.module', 'apache');
  put(doc, 'event.dataset', 'apache.error');
  return doc;
}

export const errorLogParser: Parser = {
  id: 'web.error',
  sniff: (input: ParseInput) => input.line !== undefined && looksLikeError(input.line) !== undefined,
  parse(input) {
    const line = input.line ?? '';
    const kind = looksLikeError(line);
    if (kind === 'apache') return parseApacheError(line, input.timeZone);
    if (kind === 'nginx') return parseNginxError(line, input.timeZone);
    throw new ParseError('not a web server error line');
  },
};

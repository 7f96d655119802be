import { add, categorize, type EcsDoc, int, put } from '../../doc.ts';
import { canonicalIp } from '../../ip.ts';
import { iso, monthNumber } from '../../time.ts';
import { ParseError, type ParseInput, type Parser } from '../../types.ts';

/**
 * Access logs in the NCSA combined format that nginx and Apache both write by default
 * (Apache's vhost_combined adds `host:port ` in front; extra fields after the user agent,
 * such as nginx's request time, are ignored):
 * `203.0.113.9 - alice [11/Mar/2026:10:00:00 +0700] "GET /a?b=1 HTTP/1.1" 200 512 "ref" "agent"`
 */
const COMBINED =
  /^(?:(\S+:\d+) )?(\S+) (\S+) (\S+) \[(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? ([+-]\d{4})\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;

export function looksLikeAccess(line: string): boolean {
  return / \[\d{2}\/[A-Za-z]{3}\/\d{4}:\d{2}:\d{2}:\d{2}[ .]/.test(line) && /" \d{3} /.test(line);
}

/** `\x16\x03` and `\"` as servers escape them in the log. */
function unescapeLog(v: string): string {
  return v
    .replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
    .replace(/\\(["\\])/g, '$1');
}

export function parseAccess(line: string, server: 'nginx' | 'apache'): EcsDoc {
  const m = COMBINED.exec(line);
  if (!m) throw new ParseError(`not a combined-format ${server} access line`);
  const [
    ,
    vhost,
    client,
    ident,
    user,
    dd,
    mon,
    yyyy,
    hh,
    mi,
    ss,
    frac,
    zone,
    request,
    status,
    bytes,
    referrer,
    agent,
  ] = m;
  const doc: EcsDoc = {};
  const month = monthNumber(mon!);
  if (!month) throw new ParseError(`bad month in access time: ${mon}`);
  const sign = zone!.startsWith('-') ? -1 : 1;
  const off = sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(3, 5)));
  const t =
    Date.UTC(+yyyy!, month - 1, +dd!, +hh!, +mi!, +ss!, frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0) -
    off * 60_000;
  put(doc, '@timestamp', iso(t));
  const ip = canonicalIp(client);
  put(doc, 'source.ip', ip);
  if (!ip) put(doc, 'source.address', client);
  else put(doc, 'source.address', ip);
  add(doc, 'related.ip', ip);
  if (user !== '-') {
    put(doc, 'user.name', user);
    add(doc, 'related.user', user);
  }
  if (ident !== '-') put(doc, `${server}.access.ident`, ident);
  if (vhost) {
    const colon = vhost.lastIndexOf(':');
    put(doc, 'url.domain', vhost.slice(0, colon));
    put(doc, 'destination.port', int(vhost.slice(colon + 1)));
  }
  const req = unescapeLog(request!);
  const rm = /^([A-Z][A-Z0-9_-]{0,31}) (\S+)(?: HTTP\/(\d(?:\.\d)?))?$/.exec(req);
  if (rm) {
    put(doc, 'http.request.method', rm[1]);
    put(doc, 'url.original', rm[2]);
    const q = rm[2]!.indexOf('?');
    const path = q >= 0 ? rm[2]!.slice(0, q) : rm[2]!;
    put(doc, 'url.path', path);
    if (q >= 0) put(doc, 'url.query', rm[2]!.slice(q + 1));
    const ext = /\.([A-Za-z0-9]{1,10})$/.exec(path);
    put(doc, 'url.extension', ext?.[1]?.toLowerCase());
    put(doc, 'http.version', rm[3]);
  } else if (req !== '-' && req !== '') {
    // A request line that is not HTTP (TLS to the plain port, scanners' garbage): kept as written.
    put(doc, `${server}.access.request`, req);
    add(doc, 'tags', 'invalid_request');
  }
  const code = int(status);
  put(doc, 'http.response.status_code', code);
  put(doc, 'http.response.bytes', int(bytes));
  if (referrer !== undefined && referrer !== '-') put(doc, 'http.request.referrer', unescapeLog(referrer));
  if (agent !== undefined && agent !== '-') put(doc, 'user_agent.original', unescapeLog(agent));
  categorize(doc, {
    kind: 'event',
    category: 'web',
    type: 'access',
    outcome: code === undefined ? undefined : code < 400 ? 'success' : 'failure',
  });
  put(doc, 'event.module', server);
  put(doc, 'event.dataset', `${server}.access`);
  return doc;
}

/** Which server wrote an access log: from the file path or input name, nginx when nothing says. */
export function serverOf(input: ParseInput): 'nginx' | 'apache' {
  const hint = `${input.msg.source?.path ?? ''} ${input.msg.input}`.toLowerCase();
  return /apache|httpd/.test(hint) ? 'apache' : 'nginx';
}

export const accessParser: Parser = {
  id: 'web.access',
  sniff: (input) => input.line !== undefined && looksLikeAccess(input.line),
  parse: (input) => parseAccess(input.line ?? '', serverOf(input)),
};

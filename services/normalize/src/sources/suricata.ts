import { add, categorize, type EcsDoc, int, isObject, put, str } from '../doc.ts';
import { canonicalIp } from '../ip.ts';
import { iso, parseIso } from '../time.ts';
import { ParseError, type ParseInput, type Parser } from '../types.ts';

/**
 * Suricata EVE JSON (alert, dns, http, tls, flow; other event types keep the common part).
 * Only mapped fields are written: EVE's own keys vary by version and type, and one field
 * with two JSON types would have Elasticsearch reject the document.
 */
type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (isObject(v) ? v : {});

function common(doc: EcsDoc, e: Obj, input: ParseInput): void {
  put(doc, '@timestamp', iso(parseIso(e.timestamp, input.timeZone)));
  for (const [field, ip, port] of [
    ['source', 'src_ip', 'src_port'],
    ['destination', 'dest_ip', 'dest_port'],
  ] as const) {
    const addr = canonicalIp(e[ip]);
    put(doc, `${field}.ip`, addr);
    add(doc, 'related.ip', addr);
    put(doc, `${field}.port`, int(e[port]));
  }
  put(doc, 'network.transport', str(e.proto)?.toLowerCase());
  put(doc, 'network.protocol', str(e.app_proto)?.toLowerCase());
  put(doc, 'network.community_id', str(e.community_id));
  put(doc, 'observer.ingress.interface.name', str(e.in_iface));
  put(doc, 'observer.vendor', 'OISF');
  put(doc, 'observer.product', 'Suricata');
  put(doc, 'observer.type', 'ids');
  put(doc, 'suricata.eve.event_type', str(e.event_type));
  put(doc, 'suricata.eve.flow_id', str(e.flow_id));
  put(doc, 'suricata.eve.tx_id', str(e.tx_id));
  put(doc, 'event.module', 'suricata');
  put(doc, 'event.dataset', 'suricata.eve');
}

function alert(doc: EcsDoc, e: Obj): void {
  const a = o(e.alert);
  const action = str(a.action);
  categorize(doc, {
    kind: 'alert',
    category: ['network', 'intrusion_detection'],
    type: action === 'blocked' ? 'denied' : 'allowed',
    action,
  });
  put(doc, 'rule.id', str(a.signature_id));
  put(doc, 'rule.name', str(a.signature));
  put(doc, 'rule.category', str(a.category));
  put(doc, 'rule.version', str(a.rev));
  put(doc, 'event.severity', int(a.severity));
  put(doc, 'suricata.eve.alert.gid', str(a.gid));
  put(doc, 'message', str(a.signature));
}

function dns(doc: EcsDoc, e: Obj, own = true): void {
  const d = o(e.dns);
  if (own) categorize(doc, { kind: 'event', category: 'network', type: 'protocol' });
  put(doc, 'dns.type', str(d.type));
  put(doc, 'dns.id', str(d.id));
  put(doc, 'dns.response_code', str(d.rcode));
  // EVE v2 queries carry rrname/rrtype at the top; v3 puts them in `queries`.
  const q = Array.isArray(d.queries) ? o(d.queries[0]) : d;
  put(doc, 'dns.question.name', str(q.rrname));
  put(doc, 'dns.question.type', str(q.rrtype));
  const answers: Obj[] = [];
  if (Array.isArray(d.answers)) for (const a of d.answers.map(o)) answers.push(a);
  if (isObject(d.grouped))
    for (const [type, list] of Object.entries(d.grouped))
      if (Array.isArray(list)) for (const v of list) answers.push({ rrtype: type, rdata: v });
  const out = answers
    .map((a) => ({ name: str(a.rrname), type: str(a.rrtype), ttl: int(a.ttl), data: str(a.rdata) }))
    .filter((a) => a.data !== undefined)
    .map((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)));
  if (out.length) put(doc, 'dns.answers', out);
  for (const a of out) add(doc, 'related.ip', canonicalIp(a.data));
  for (const a of out) {
    const ip = canonicalIp(a.data);
    if (ip) add(doc, 'dns.resolved_ip', ip);
  }
}

function http(doc: EcsDoc, e: Obj, own = true): void {
  const h = o(e.http);
  // An alert's http record describes the flow; the event stays an IDS alert, not a web access.
  if (own) categorize(doc, { kind: 'event', category: ['network', 'web'], type: ['protocol', 'access'] });
  put(doc, 'url.domain', str(h.hostname));
  const url = str(h.url);
  put(doc, 'url.original', url);
  if (url) {
    const q = url.indexOf('?');
    put(doc, 'url.path', q >= 0 ? url.slice(0, q) : url);
    if (q >= 0) put(doc, 'url.query', url.slice(q + 1));
  }
  put(doc, 'http.request.method', str(h.http_method));
  put(doc, 'http.response.status_code', int(h.status));
  put(doc, 'http.response.bytes', int(h.length));
  put(doc, 'http.request.referrer', str(h.http_refer));
  put(doc, 'http.request.mime_type', str(h.http_content_type));
  put(doc, 'http.version', str(h.protocol)?.replace(/^HTTP\//, ''));
  put(doc, 'user_agent.original', str(h.http_user_agent));
  put(doc, 'destination.domain', str(h.hostname));
}

function tls(doc: EcsDoc, e: Obj, own = true): void {
  const t = o(e.tls);
  if (own) categorize(doc, { kind: 'event', category: 'network', type: 'protocol' });
  put(doc, 'tls.client.server_name', str(t.sni));
  put(doc, 'destination.domain', str(t.sni));
  put(doc, 'tls.server.subject', str(t.subject));
  put(doc, 'tls.server.issuer', str(t.issuerdn));
  put(doc, 'tls.server.hash.sha1', str(t.fingerprint)?.replace(/:/g, '').toUpperCase());
  put(doc, 'tls.server.not_before', str(t.notbefore));
  put(doc, 'tls.server.not_after', str(t.notafter));
  put(doc, 'tls.client.ja3', str(o(t.ja3).hash));
  put(doc, 'tls.server.ja3s', str(o(t.ja3s).hash));
  const v = /^TLS ?v?(\d(?:\.\d)?)$/i.exec(str(t.version) ?? '');
  put(doc, 'tls.version_protocol', v ? 'tls' : undefined);
  put(doc, 'tls.version', v?.[1]);
}

function flow(doc: EcsDoc, e: Obj): void {
  const f = o(e.flow);
  categorize(doc, { kind: 'event', category: 'network', type: ['connection', 'end'], action: str(f.state) });
  put(doc, 'source.packets', int(f.pkts_toserver));
  put(doc, 'destination.packets', int(f.pkts_toclient));
  const sb = int(f.bytes_toserver);
  const db = int(f.bytes_toclient);
  put(doc, 'source.bytes', sb);
  put(doc, 'destination.bytes', db);
  if (sb !== undefined && db !== undefined) put(doc, 'network.bytes', sb + db);
  put(doc, 'event.start', str(f.start));
  put(doc, 'event.end', str(f.end));
  put(doc, 'event.reason', str(f.reason));
}

export const suricataParser: Parser = {
  id: 'suricata',
  sniff: ({ event }) => event !== undefined && typeof event.event_type === 'string' && 'timestamp' in event,
  parse(input) {
    const e = input.event;
    if (!e || typeof e.event_type !== 'string') throw new ParseError('EVE record without event_type');
    const doc: EcsDoc = {};
    common(doc, e, input);
    switch (e.event_type) {
      case 'alert':
        alert(doc, e);
        // Alerts also carry the protocol record of the flow that raised them.
        if (isObject(e.http)) http(doc, e, false);
        if (isObject(e.dns)) dns(doc, e, false);
        if (isObject(e.tls)) tls(doc, e, false);
        put(doc, 'event.kind', 'alert');
        break;
      case 'dns':
        dns(doc, e);
        break;
      case 'http':
        http(doc, e);
        break;
      case 'tls':
        tls(doc, e);
        break;
      case 'flow':
      case 'netflow':
        flow(doc, e);
        break;
      default:
        categorize(doc, { kind: 'event', category: 'network', type: 'info' });
    }
    return doc;
  },
};

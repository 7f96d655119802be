import { add, categorize, type EcsDoc, int, put } from '../../doc.ts';
import { canonicalIp } from '../../ip.ts';

/**
 * Kernel packet-filter log lines (iptables `-j LOG`, nftables `log`, ufw): both use the
 * kernel's nf_log format, `[prefix] IN=eth0 OUT= MAC=… SRC=… DST=… PROTO=TCP SPT=… DPT=…`.
 * The prefix is the rule's own label; whether the packet was dropped is read from it.
 */
const NF =
  /^(?:\[\s*\d+\.\d+\]\s*)?(.*?)\s*IN=(\S*) OUT=(\S*)(?: PHYSIN=\S*)?(?: PHYSOUT=\S*)?(?: MAC=(\S*))? (SRC=.*)$/;

export function looksLikeNetfilter(message: string): boolean {
  return / IN=\S* OUT=\S* /.test(message) && / SRC=/.test(message);
}

export function parseNetfilter(message: string): EcsDoc | undefined {
  const m = NF.exec(message);
  if (!m) return undefined;
  const [, prefix, inIf, outIf, mac, rest] = m;
  const kv: Record<string, string> = {};
  const flags: string[] = [];
  for (const tok of rest!.split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0) kv[tok.slice(0, eq)] = tok.slice(eq + 1);
    else if (tok) flags.push(tok);
  }
  const doc: EcsDoc = {};
  const label = prefix?.replace(/^\[|\]$/g, '').replace(/[:\s]+$/, '');
  const denied = /drop|block|reject|deny|denied/i.test(label ?? '');
  const allowed = /accept|allow|pass/i.test(label ?? '');
  categorize(doc, {
    kind: 'event',
    category: 'network',
    type: ['connection', ...(denied ? ['denied'] : allowed ? ['allowed'] : [])],
    action: denied ? 'dropped' : allowed ? 'accepted' : 'logged',
  });
  put(doc, 'event.dataset', 'iptables.log');
  put(doc, 'event.module', 'iptables');
  put(doc, 'observer.product', /nft/i.test(label ?? '') ? 'nftables' : 'iptables');
  put(doc, 'rule.name', label);
  put(doc, 'observer.ingress.interface.name', inIf);
  put(doc, 'observer.egress.interface.name', outIf);
  const network = inIf ? (outIf ? 'forward' : 'ingress') : 'egress';
  put(
    doc,
    'network.direction',
    network === 'forward' ? 'unknown' : network === 'ingress' ? 'inbound' : 'outbound',
  );
  for (const [field, key] of [
    ['source', 'SRC'],
    ['destination', 'DST'],
  ] as const) {
    const ip = canonicalIp(kv[key]);
    put(doc, `${field}.ip`, ip);
    add(doc, 'related.ip', ip);
  }
  put(doc, 'source.port', int(kv.SPT));
  put(doc, 'destination.port', int(kv.DPT));
  const proto = kv.PROTO?.toLowerCase();
  put(doc, 'network.transport', proto && /^\d+$/.test(proto) ? undefined : proto);
  put(doc, 'network.iana_number', proto && /^\d+$/.test(proto) ? proto : undefined);
  put(doc, 'network.type', kv.SRC?.includes(':') ? 'ipv6' : 'ipv4');
  if (mac && mac.length >= 35) {
    // MAC= is destination(6) source(6) ethertype(2), colon-separated.
    put(doc, 'destination.mac', mac.slice(0, 17).toUpperCase().replace(/:/g, '-'));
    put(doc, 'source.mac', mac.slice(18, 35).toUpperCase().replace(/:/g, '-'));
  }
  put(doc, 'iptables.length', int(kv.LEN));
  put(doc, 'iptables.ttl', int(kv.TTL ?? kv.HOPLIMIT));
  put(doc, 'iptables.id', kv.ID);
  put(doc, 'iptables.tcp.window', int(kv.WINDOW));
  if (flags.length) put(doc, 'iptables.flags', flags);
  return doc;
}

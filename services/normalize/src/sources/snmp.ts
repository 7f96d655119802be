import { add, categorize, type EcsDoc, int, isObject, put, str } from '../doc.ts';
import { canonicalIp } from '../ip.ts';
import { iso, parseIso } from '../time.ts';
import { ParseError, type Parser } from '../types.ts';

/**
 * SNMP from the network agent (the shape is in this package's README):
 * - trap/inform: `{ type: 'snmp.trap', version, source: { ip, port }, trap: { oid, name },
 *   enterprise?, uptime?, varbinds: [{ oid, name?, type, value }], time? }`
 * - poll result: `{ type: 'snmp.poll', device: { name?, ip }, status: 'up'|'down'|'changed',
 *   sysUpTime?, interfaces?: [{ index, name?, operStatus, inErrors? }], time? }`
 * The community string or v3 credentials never travel in the message.
 */
const TRAP_ACTIONS: Record<string, { action: string; category: string; type: string; outcome?: string }> = {
  coldStart: { action: 'device-restarted', category: 'host', type: 'start' },
  warmStart: { action: 'device-restarted', category: 'host', type: 'start' },
  linkDown: { action: 'link-down', category: 'network', type: 'change' },
  linkUp: { action: 'link-up', category: 'network', type: 'change' },
  authenticationFailure: {
    action: 'snmp-authentication-failure',
    category: 'authentication',
    type: 'info',
    outcome: 'failure',
  },
};

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (isObject(v) ? v : {});

function device(doc: EcsDoc, ip: unknown, name: unknown): void {
  const addr = canonicalIp(ip);
  put(doc, 'observer.ip', addr);
  put(doc, 'observer.hostname', str(name));
  put(doc, 'host.ip', addr ? [addr] : undefined);
  put(doc, 'host.name', str(name) ?? addr);
  add(doc, 'related.ip', addr);
}

export const snmpParser: Parser = {
  id: 'snmp',
  sniff: ({ event }) => typeof event?.type === 'string' && event.type.startsWith('snmp.'),
  parse({ event, timeZone }) {
    if (!event) throw new ParseError('SNMP events are shipped as JSON');
    const doc: EcsDoc = {};
    put(doc, '@timestamp', iso(parseIso(event.time, timeZone)));
    put(doc, 'event.module', 'snmp');
    put(doc, 'network.protocol', 'snmp');
    if (event.type === 'snmp.trap') {
      const src = o(event.source);
      device(doc, src.ip, src.name);
      put(doc, 'source.ip', canonicalIp(src.ip));
      put(doc, 'source.port', int(src.port));
      const trap = o(event.trap);
      const name = str(trap.name);
      const mapped = name ? TRAP_ACTIONS[name] : undefined;
      categorize(doc, {
        kind: 'event',
        category: mapped?.category ?? 'network',
        type: mapped?.type ?? 'info',
        outcome: mapped?.outcome,
        action: mapped?.action ?? (name ? `trap-${name}` : 'trap'),
      });
      put(doc, 'event.dataset', 'snmp.trap');
      put(doc, 'snmp.version', str(event.version));
      put(doc, 'snmp.trap.oid', str(trap.oid));
      put(doc, 'snmp.trap.name', name);
      put(doc, 'snmp.enterprise', str(event.enterprise));
      put(doc, 'snmp.uptime', str(event.uptime));
      const varbinds = Array.isArray(event.varbinds)
        ? event.varbinds.map(o).map((v) => ({
            oid: str(v.oid),
            name: str(v.name),
            type: str(v.type),
            // every value as text: an OID's value type differs between traps
            value: str(v.value),
          }))
        : [];
      const clean = varbinds.map((v) =>
        Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)),
      );
      if (clean.length) put(doc, 'snmp.varbinds', clean);
      put(
        doc,
        'message',
        `SNMP trap ${name ?? str(trap.oid) ?? ''} from ${canonicalIp(src.ip) ?? str(src.ip) ?? 'unknown'}`,
      );
      return doc;
    }
    if (event.type === 'snmp.poll') {
      const dev = o(event.device);
      device(doc, dev.ip, dev.name);
      const status = str(event.status);
      categorize(doc, {
        kind: status === 'down' ? 'alert' : 'state',
        category: 'host',
        type: status === 'down' ? 'end' : status === 'up' ? 'start' : 'info',
        action: status ? `device-${status}` : 'device-polled',
        outcome: status === 'down' ? 'failure' : 'success',
      });
      put(doc, 'event.dataset', 'snmp.poll');
      put(doc, 'snmp.status', status);
      put(doc, 'snmp.sys_uptime', str(event.sysUpTime));
      if (Array.isArray(event.interfaces)) {
        const ifs = event.interfaces.map(o).map((i) =>
          Object.fromEntries(
            Object.entries({
              index: str(i.index),
              name: str(i.name),
              oper_status: str(i.operStatus),
              in_errors: int(i.inErrors),
            }).filter(([, v]) => v !== undefined),
          ),
        );
        if (ifs.length) put(doc, 'snmp.interfaces', ifs);
      }
      return doc;
    }
    throw new ParseError(`unknown SNMP event type: ${String(event.type).slice(0, 40)}`);
  },
};

import { add, categorize, type EcsDoc, int, isObject, put, str } from '../doc.ts';
import { canonicalIp } from '../ip.ts';
import { iso, parseIso } from '../time.ts';
import { ParseError, type Parser } from '../types.ts';

/**
 * File integrity monitoring and host inventory from the endpoint agent (shapes in the README):
 * - `{ type: 'fim', action: 'created'|'modified'|'deleted'|'permissions', path, os?, time?,
 *   hash?: { sha256, sha1?, md5? }, size?, mode?, uid?, gid?, owner?, group?, mtime?,
 *   previous?: { same fields } }`
 * - `{ type: 'inventory', os: { type, name, version, kernel, family? }, hostname?, ips?,
 *   macs?, packages?: [{ name, version, arch? }], ports?: [{ protocol, address, port,
 *   process? }], users?: [{ name, uid, shell?, home? }], time? }`
 */
type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (isObject(v) ? v : {});

const FIM_TYPES: Record<string, string> = {
  created: 'creation',
  modified: 'change',
  deleted: 'deletion',
  permissions: 'change',
};

function fileFields(doc: EcsDoc, prefix: string, f: Obj): void {
  const h = o(f.hash);
  for (const alg of ['sha256', 'sha1', 'md5']) put(doc, `${prefix}.hash.${alg}`, str(h[alg])?.toLowerCase());
  put(doc, `${prefix}.size`, int(f.size));
  put(doc, `${prefix}.mode`, str(f.mode));
  put(doc, `${prefix}.uid`, str(f.uid));
  put(doc, `${prefix}.gid`, str(f.gid));
  put(doc, `${prefix}.owner`, str(f.owner));
  put(doc, `${prefix}.group`, str(f.group));
  put(doc, `${prefix}.mtime`, str(f.mtime));
}

export const fimParser: Parser = {
  id: 'fim',
  sniff: ({ event }) => event?.type === 'fim',
  parse({ event, timeZone }) {
    if (!event || typeof event.path !== 'string') throw new ParseError('FIM event without path');
    const action = str(event.action) ?? 'modified';
    const type = FIM_TYPES[action];
    if (!type) throw new ParseError(`unknown FIM action: ${action.slice(0, 40)}`);
    const doc: EcsDoc = {};
    put(doc, '@timestamp', iso(parseIso(event.time, timeZone)));
    categorize(doc, {
      kind: 'event',
      category: 'file',
      type,
      action: action === 'permissions' ? 'attributes_modified' : action,
    });
    put(doc, 'event.module', 'fim');
    put(doc, 'event.dataset', 'fim.event');
    const path = event.path;
    put(doc, 'file.path', path);
    const sep = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    put(doc, 'file.name', path.slice(sep + 1));
    put(doc, 'file.directory', sep > 0 ? path.slice(0, sep) : undefined);
    put(doc, 'file.extension', /\.([A-Za-z0-9]{1,16})$/.exec(path)?.[1]?.toLowerCase());
    put(doc, 'file.type', 'file');
    fileFields(doc, 'file', event);
    if (isObject(event.previous)) fileFields(doc, 'fim.previous', event.previous);
    put(doc, 'host.os.type', str(event.os));
    return doc;
  },
};

export const inventoryParser: Parser = {
  id: 'inventory',
  sniff: ({ event }) => event?.type === 'inventory',
  parse({ event, timeZone }) {
    if (!event) throw new ParseError('inventory is shipped as JSON');
    const doc: EcsDoc = {};
    put(doc, '@timestamp', iso(parseIso(event.time, timeZone)));
    categorize(doc, { kind: 'state', category: ['host', 'package'], type: 'info', action: 'inventory' });
    put(doc, 'event.module', 'inventory');
    put(doc, 'event.dataset', 'inventory.snapshot');
    const os = o(event.os);
    put(doc, 'host.os.type', str(os.type));
    put(doc, 'host.os.name', str(os.name));
    put(doc, 'host.os.version', str(os.version));
    put(doc, 'host.os.kernel', str(os.kernel));
    put(doc, 'host.os.family', str(os.family));
    put(doc, 'host.hostname', str(event.hostname));
    put(doc, 'host.name', str(event.hostname));
    const ips = (Array.isArray(event.ips) ? event.ips : []).map(canonicalIp).filter((x): x is string => !!x);
    if (ips.length) put(doc, 'host.ip', [...new Set(ips)]);
    for (const ip of ips) add(doc, 'related.ip', ip);
    const macs = (Array.isArray(event.macs) ? event.macs : [])
      .map((m) => str(m)?.toUpperCase().replace(/:/g, '-'))
      .filter((x): x is string => !!x);
    if (macs.length) put(doc, 'host.mac', [...new Set(macs)]);
    const list = (v: unknown, f: (x: Obj) => Obj) =>
      (Array.isArray(v) ? v : [])
        .map(o)
        .map(f)
        .map((x) => Object.fromEntries(Object.entries(x).filter(([, y]) => y !== undefined)));
    const packages = list(event.packages, (p) => ({
      name: str(p.name),
      version: str(p.version),
      architecture: str(p.arch),
    }));
    if (packages.length) put(doc, 'inventory.packages', packages);
    const ports = list(event.ports, (p) => ({
      transport: str(p.protocol)?.toLowerCase(),
      ip: canonicalIp(p.address),
      port: int(p.port),
      process: str(p.process),
    }));
    if (ports.length) put(doc, 'inventory.listening', ports);
    const users = list(event.users, (u) => ({
      name: str(u.name),
      id: str(u.uid),
      shell: str(u.shell),
      home: str(u.home),
    }));
    if (users.length) put(doc, 'inventory.users', users);
    put(
      doc,
      'message',
      `inventory of ${str(event.hostname) ?? 'host'}: ${packages.length} packages, ${ports.length} listening ports, ${users.length} users`,
    );
    return doc;
  },
};

import { hostname, networkInterfaces } from 'node:os';
import type { InventoryInputConfig } from '../config.ts';
import { type OsInfo, readOs } from './os-release.ts';
import { listPackages, type Package } from './packages.ts';
import { type ListeningPort, listeningPorts } from './ports.ts';
import { type LocalUser, readUsers } from './users.ts';

/** The `{ type: 'inventory' }` event (services/normalize/src/sources/endpoint.ts reads it). */
export interface InventoryEvent {
  type: 'inventory';
  time: string;
  hostname: string;
  os: OsInfo;
  ips: string[];
  macs: string[];
  packages?: Package[];
  ports?: Array<Omit<ListeningPort, 'inode'>>;
  users?: LocalUser[];
}

/** Addresses of every interface but loopback; MACs once each, without the all-zero one of tunnels. */
export function addresses(ifaces = networkInterfaces()): { ips: string[]; macs: string[] } {
  const ips = new Set<string>();
  const macs = new Set<string>();
  for (const list of Object.values(ifaces)) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      ips.add(a.address);
      if (a.mac && a.mac !== '00:00:00:00:00:00') macs.add(a.mac.toLowerCase());
    }
  }
  return { ips: [...ips], macs: [...macs] };
}

export interface Collected {
  event: InventoryEvent;
  /** What could not be collected, for the log: the event is shipped with the rest. */
  problems: string[];
  /** Packages beyond `maxPackages` that were left out. */
  packagesLeftOut: number;
}

/** One inventory. Each part is collected on its own: one failing leaves the others in the event. */
export async function collectInventory(cfg: InventoryInputConfig, now = new Date()): Promise<Collected> {
  const problems: string[] = [];
  let addrs: { ips: string[]; macs: string[] } = { ips: [], macs: [] };
  try {
    addrs = addresses();
  } catch (err) {
    // getifaddrs needs a netlink socket, which a sandbox (RestrictAddressFamilies) may refuse.
    problems.push(`addresses: ${(err as Error).message}`);
  }
  const event: InventoryEvent = {
    type: 'inventory',
    time: now.toISOString(),
    hostname: hostname(),
    os: await readOs(cfg.osRelease),
    ...addrs,
  };
  let packagesLeftOut = 0;
  if (cfg.packages) {
    try {
      const list = await listPackages();
      if (!list) problems.push('packages: neither dpkg-query nor rpm on this host');
      else {
        packagesLeftOut = Math.max(0, list.packages.length - cfg.maxPackages);
        event.packages = list.packages.slice(0, cfg.maxPackages);
      }
    } catch (err) {
      problems.push(`packages: ${(err as Error).message}`);
    }
  }
  if (cfg.ports) {
    try {
      event.ports = await listeningPorts(cfg.procNet);
    } catch (err) {
      problems.push(`ports: ${(err as Error).message}`);
    }
  }
  if (cfg.users) {
    try {
      event.users = await readUsers(cfg.passwd);
    } catch (err) {
      problems.push(`users: ${(err as Error).message}`);
    }
  }
  return { event, problems, packagesLeftOut };
}

/**
 * The normaliser dead-letters messages over 1 MiB (its default `maxMessageBytes`): an
 * inventory stays well under, leaving out packages from the end of the list if it must.
 */
export const MAX_INVENTORY_BYTES = 768 * 1024;

/** Shortens `event.packages` until the event fits `maxBytes`; how many were left out. */
export function fitInventory(event: InventoryEvent, maxBytes = MAX_INVENTORY_BYTES): number {
  const packages = event.packages;
  if (!packages) return 0;
  let size = Buffer.byteLength(JSON.stringify(event));
  let keep = packages.length;
  while (size > maxBytes && keep > 0) {
    keep = Math.floor(((keep * maxBytes) / size) * 0.95);
    event.packages = packages.slice(0, keep);
    size = Buffer.byteLength(JSON.stringify(event));
  }
  return packages.length - keep;
}

import { readdir, readFile, readlink } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';

export interface ListeningPort {
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
  process?: string;
  /** The socket's inode: how a process is found, not shipped. */
  inode?: number;
}

/** /proc/net/tcp `st` column: 0A is TCP_LISTEN; an unconnected UDP socket sits in 07 (TCP_CLOSE). */
const LISTEN = { tcp: '0A', udp: '07' } as const;

/** The kernel prints each 32-bit word of an address in host byte order. */
function word(hex: string, little: boolean): number[] {
  const b = [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return little ? b.reverse() : b;
}

function ipv6(bytes: number[]): string {
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // IPv4-mapped (::ffff:a.b.c.d), as dual-stack sockets bound to IPv4 addresses show.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return `::ffff:${bytes.slice(12).join('.')}`;
  // RFC 5952: the longest run (≥ 2) of zero groups becomes `::`.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** `0100007F` (IPv4) or 32 hex digits (IPv6), as /proc/net prints them. */
export function procAddress(hex: string, little = endianness() === 'LE'): string | undefined {
  if (hex.length === 8) return word(hex, little).join('.');
  if (hex.length === 32) return ipv6([0, 8, 16, 24].flatMap((i) => word(hex.slice(i, i + 8), little)));
  return undefined;
}

/** Listening sockets of one /proc/net/{tcp,tcp6,udp,udp6} table. */
export function parseProcNet(text: string, protocol: 'tcp' | 'udp', little?: boolean): ListeningPort[] {
  const out: ListeningPort[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== LISTEN[protocol]) continue;
    const [localHex, portHex] = f[1]!.split(':');
    const [, remotePort] = f[2]!.split(':');
    // A UDP socket in 07 with a remote port is connected to a peer, not waiting for anyone.
    if (protocol === 'udp' && remotePort !== '0000') continue;
    const address = procAddress(localHex ?? '', little);
    if (!address || !portHex) continue;
    out.push({ protocol, address, port: Number.parseInt(portHex, 16), inode: Number(f[9]) });
  }
  return out;
}

/**
 * Which process holds each socket inode: every `/proc/<pid>/fd/*` link `socket:[inode]`.
 * Best effort: without the rights to read a process's descriptors its sockets stay unnamed.
 */
export async function socketOwners(proc = '/proc'): Promise<Map<number, string>> {
  const owners = new Map<number, string>();
  const pids = (await readdir(proc).catch(() => [] as string[])).filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    const fds = await readdir(join(proc, pid, 'fd')).catch(() => [] as string[]);
    let comm: string | undefined;
    for (const fd of fds) {
      const target = await readlink(join(proc, pid, 'fd', fd)).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (!m) continue;
      comm ??= (await readFile(join(proc, pid, 'comm'), 'utf8').catch(() => '')).trim();
      if (comm) owners.set(Number(m[1]), comm);
    }
  }
  return owners;
}

/** Every listening TCP and UDP socket, IPv4 and IPv6, with its process's name where it can be read. */
export async function listeningPorts(procNet: string, withProcesses = true): Promise<ListeningPort[]> {
  const ports: ListeningPort[] = [];
  for (const [file, protocol] of [
    ['tcp', 'tcp'],
    ['tcp6', 'tcp'],
    ['udp', 'udp'],
    ['udp6', 'udp'],
  ] as const) {
    const text = await readFile(join(procNet, file), 'utf8').catch(() => '');
    ports.push(...parseProcNet(text, protocol));
  }
  const owners = withProcesses && ports.length ? await socketOwners() : new Map<number, string>();
  const seen = new Set<string>();
  const out: ListeningPort[] = [];
  for (const { inode, ...p } of ports) {
    const process = inode ? owners.get(inode) : undefined;
    const key = `${p.protocol} ${p.address} ${p.port}`;
    // SO_REUSEPORT listeners appear once per socket: one entry per address is what matters.
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(process ? { ...p, process } : p);
  }
  return out.sort(
    (a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port || a.address.localeCompare(b.address),
  );
}

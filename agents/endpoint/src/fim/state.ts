import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { type FileHandle, open, readFile } from 'node:fs/promises';

/** What the baseline holds per file. `ctimeMs`/`ino` only decide whether to hash again. */
export interface FileState {
  size: number;
  /** Permission bits in octal, `0644`, `4755`: as ECS `file.mode`. */
  mode: string;
  uid: number;
  gid: number;
  owner?: string;
  group?: string;
  /** ISO 8601. */
  mtime: string;
  /** Absent for files larger than `maxHashBytes` (or unreadable). */
  sha256?: string;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** uid → user name and gid → group name, from /etc/passwd and /etc/group (not NSS: no LDAP lookups). */
export interface Names {
  users: Map<number, string>;
  groups: Map<number, string>;
}

function idNames(text: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] && /^\d+$/.test(f[2]!) && !m.has(Number(f[2]))) m.set(Number(f[2]), f[0]);
  }
  return m;
}

export async function readNames(passwd = '/etc/passwd', group = '/etc/group'): Promise<Names> {
  const [p, g] = await Promise.all([
    readFile(passwd, 'utf8').catch(() => ''),
    readFile(group, 'utf8').catch(() => ''),
  ]);
  return { users: idNames(p), groups: idNames(g) };
}

/** Size of the read buffer each FIM input hashes through (its checks run one at a time). */
export const HASH_CHUNK = 256 * 1024;

/** The file's SHA-256, read through `chunk` so that nothing is allocated per file. */
export async function sha256(path: string, chunk: Buffer): Promise<string | undefined> {
  const hash = createHash('sha256');
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (!bytesRead) break;
      hash.update(chunk.subarray(0, bytesRead));
    }
  } catch {
    // Unreadable (permissions) or gone since the stat: the next check sees what it is by then.
    return undefined;
  } finally {
    await fh?.close().catch(() => undefined);
  }
  return hash.digest('hex');
}

/**
 * A file's state from its stat. The hash is taken again only when the file may have changed
 * (size, mtime, ctime or inode differ from what the baseline has): ctime moves with every
 * write and chmod and cannot be set back by the writer, unlike mtime.
 */
export async function fileState(
  path: string,
  st: Stats,
  names: Names,
  maxHashBytes: number,
  known: FileState | undefined,
  chunk: Buffer,
): Promise<FileState> {
  const s: FileState = {
    size: st.size,
    mode: (st.mode & 0o7777).toString(8).padStart(4, '0'),
    uid: st.uid,
    gid: st.gid,
    mtime: st.mtime.toISOString(),
    mtimeMs: st.mtimeMs,
    ctimeMs: st.ctimeMs,
    ino: st.ino,
  };
  const owner = names.users.get(st.uid);
  const group = names.groups.get(st.gid);
  if (owner) s.owner = owner;
  if (group) s.group = group;
  const unchanged =
    known?.sha256 &&
    known.size === st.size &&
    known.mtimeMs === st.mtimeMs &&
    known.ctimeMs === st.ctimeMs &&
    known.ino === st.ino;
  if (unchanged) s.sha256 = known.sha256;
  else if (st.size <= maxHashBytes) {
    const h = await sha256(path, chunk);
    if (h) s.sha256 = h;
  }
  return s;
}

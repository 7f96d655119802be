import type { Stats } from 'node:fs';
import { lstat, opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface WalkOptions {
  recursive: boolean;
  excluded: (path: string) => boolean;
  /** Stop once this many files were found. */
  maxFiles: number;
  /** Follow `root` if it is a symbolic link (true for configured paths only). */
  followRoot: boolean;
}

export interface Walked {
  files: Map<string, Stats>;
  /** Directories visited, for the realtime watches. */
  dirs: string[];
  /** The file limit cut the walk short. */
  limited: boolean;
}

/**
 * Regular files under `root` (or `root` itself, a file). Symbolic links below a root are not
 * followed (a link could lead out of the monitored tree, or round in a loop); a root that is
 * a link is followed, as operators name `/etc/resolv.conf` meaning the file.
 */
export async function walk(root: string, opts: WalkOptions, into?: Walked): Promise<Walked> {
  const out: Walked = into ?? { files: new Map(), dirs: [], limited: false };
  if (opts.excluded(root)) return out;
  const st = await (opts.followRoot ? stat(root) : lstat(root)).catch(() => undefined);
  if (!st) return out;
  if (st.isFile()) {
    add(out, root, st, opts);
    return out;
  }
  if (!st.isDirectory()) return out;
  const stack = [root];
  while (stack.length && !out.limited) {
    const dir = stack.pop()!;
    out.dirs.push(dir);
    let handle: Awaited<ReturnType<typeof opendir>>;
    try {
      handle = await opendir(dir);
    } catch {
      continue; // removed or unreadable since it was listed
    }
    const subdirs: string[] = [];
    for await (const entry of handle) {
      const path = join(dir, entry.name);
      if (opts.excluded(path)) continue;
      if (entry.isDirectory()) {
        if (opts.recursive) subdirs.push(path);
      } else if (entry.isFile()) {
        const s = await lstat(path).catch(() => undefined);
        if (s?.isFile() && !add(out, path, s, opts)) break;
      }
    }
    // Depth-first in name order, so a limited walk always keeps the same files.
    stack.push(...subdirs.sort().reverse());
  }
  return out;
}

function add(out: Walked, path: string, st: Stats, opts: WalkOptions): boolean {
  if (out.files.has(path)) return true;
  if (out.files.size >= opts.maxFiles) {
    out.limited = true;
    return false;
  }
  out.files.set(path, st);
  return true;
}

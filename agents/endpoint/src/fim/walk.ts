import type { Stats } from 'node:fs';
import { lstat, opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface WalkOptions {
  recursive: boolean;
  excluded: (path: string) => boolean;
  /** Follow `root` if it is a symbolic link (true for configured paths only). */
  followRoot: boolean;
}

/** What walks report besides the files: shared by the walks of one scan. */
export interface WalkState {
  /** Directories visited, for the realtime watches. */
  dirs: string[];
}

export const walkState = (): WalkState => ({ dirs: [] });

/**
 * Regular files under `root` (or `root` itself, a file), one at a time so a scan holds no
 * list of them. Symbolic links below a root are not followed (a link could lead out of the
 * monitored tree, or round in a loop); a root that is a link is followed, as operators name
 * `/etc/resolv.conf` meaning the file.
 */
export async function* walk(
  root: string,
  opts: WalkOptions,
  state: WalkState,
): AsyncGenerator<[string, Stats]> {
  if (opts.excluded(root)) return;
  const st = await (opts.followRoot ? stat(root) : lstat(root)).catch(() => undefined);
  if (!st) return;
  if (st.isFile()) {
    yield [root, st];
    return;
  }
  if (!st.isDirectory()) return;
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    state.dirs.push(dir);
    let names: string[];
    const subdirs: string[] = [];
    const files: string[] = [];
    try {
      for await (const entry of await opendir(dir)) {
        const path = join(dir, entry.name);
        if (opts.excluded(path)) continue;
        if (entry.isDirectory()) {
          if (opts.recursive) subdirs.push(path);
        } else if (entry.isFile()) files.push(path);
      }
      names = files.sort();
    } catch {
      continue; // removed or unreadable since it was listed
    }
    for (const path of names) {
      const s = await lstat(path).catch(() => undefined);
      if (s?.isFile()) yield [path, s];
    }
    // Depth-first in name order: when maxFiles is reached, the same files are left out each time.
    stack.push(...subdirs.sort().reverse());
  }
}

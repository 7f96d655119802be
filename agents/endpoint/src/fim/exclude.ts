/**
 * Exclusion patterns for FIM: absolute paths with `*` and `?` (within one name) and `**`
 * (across directories). A pattern that matches a directory excludes everything under it.
 * Hand-written rather than a glob library: it runs for every watch event and needs only these
 * three wildcards, whose meaning the README states.
 */
export function excluder(patterns: string[]): (path: string) => boolean {
  if (!patterns.length) return () => false;
  const res = patterns.map((p) => new RegExp(`^${toRegex(p.replace(/\/+$/, ''))}(?:/.*)?$`));
  return (path) => res.some((r) => r.test(path));
}

function toRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // `/**/` also matches a single `/`: `/a/**/b` takes `/a/b`.
      if (glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

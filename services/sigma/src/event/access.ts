/**
 * How a Sigma field name reaches a value in an event. A dotted name reaches nested objects
 * (`process.command_line` → `{process: {command_line}}`) and flat dotted keys alike
 * (`{"process.command_line": …}`), and any mix of the two. An array on the way yields each
 * element, so a field matches when any element does.
 */
export type SigmaEvent = Record<string, unknown>;

export function fieldValues(event: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(event, path, out);
  return out;
}

function collect(node: unknown, path: string, out: unknown[]): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (const item of node) collect(item, path, out);
    return;
  }
  if (typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  // Exact key first (covers flat dotted keys), then every split point of the dotted path.
  if (Object.hasOwn(obj, path)) push(obj[path], out);
  let dot = path.indexOf('.');
  while (dot !== -1) {
    const head = path.slice(0, dot);
    if (Object.hasOwn(obj, head)) collect(obj[head], path.slice(dot + 1), out);
    dot = path.indexOf('.', dot + 1);
  }
}

function push(value: unknown, out: unknown[]): void {
  if (Array.isArray(value)) for (const v of value) push(v, out);
  else out.push(value);
}

/** True when the field exists in the event at all (even with a null value). */
export function fieldExists(event: unknown, path: string): boolean {
  return existsIn(event, path);
}

function existsIn(node: unknown, path: string): boolean {
  if (node === null || node === undefined || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((n) => existsIn(n, path));
  const obj = node as Record<string, unknown>;
  if (Object.hasOwn(obj, path)) return true;
  let dot = path.indexOf('.');
  while (dot !== -1) {
    const head = path.slice(0, dot);
    if (Object.hasOwn(obj, head) && existsIn(obj[head], path.slice(dot + 1))) return true;
    dot = path.indexOf('.', dot + 1);
  }
  return false;
}

/**
 * Paths to leave out of `allStrings`, as a tree of keys: `null` marks an excluded subtree.
 * A dotted path is also entered whole at the root, for events with flat dotted keys.
 */
export type StringsExclusion = ReadonlyMap<string, StringsExclusion | null>;

export function stringsExclusion(paths: readonly string[]): StringsExclusion | undefined {
  if (paths.length === 0) return undefined;
  const root = new Map<string, Map<string, unknown> | null>();
  for (const path of paths) {
    root.set(path, null);
    const parts = path.split('.');
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node.set(part, null);
      else {
        let next = node.get(part);
        if (next === null) return;
        if (next === undefined) {
          next = new Map();
          node.set(part, next);
        }
        node = next as Map<string, Map<string, unknown> | null>;
      }
    });
  }
  return root as StringsExclusion;
}

/** Every string value anywhere in the event: what keyword (field-less) searches look at. */
export function allStrings(event: unknown, out: string[] = [], exclude?: StringsExclusion): string[] {
  if (typeof event === 'string') out.push(event);
  else if (Array.isArray(event)) for (const v of event) allStrings(v, out, exclude);
  else if (event !== null && typeof event === 'object') {
    if (!exclude) for (const v of Object.values(event)) allStrings(v, out);
    else {
      // Keys, not entries: no pair array per property on this per-event path.
      const obj = event as Record<string, unknown>;
      for (const k of Object.keys(obj)) {
        const below = exclude.get(k);
        if (below !== null) allStrings(obj[k], out, below);
      }
    }
  }
  return out;
}

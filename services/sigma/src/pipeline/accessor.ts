/**
 * Precompiled event paths: the same lookup as `fieldValues` / `fieldExists` in
 * ../event/access.ts (nested objects, flat dotted keys and any mix, arrays fanned out), with
 * the path split and every dotted sub-key built once instead of on every event. Routing
 * reads the same few paths (Channel, EventID, …) of every event, so this is its hot loop.
 *
 * One addition: a segment that is exactly `*` stands for every key of the object at that
 * level (`Event.UserData.*.Operation` — Windows names the UserData element after the event).
 * A `*` never joins a flat dotted key.
 */

export interface Accessor {
  readonly path: string;
  /** Appends the values at the path to `out` (arrays flattened), in `fieldValues` order. */
  values(event: unknown, out: unknown[]): void;
  exists(event: unknown): boolean;
}

const cache = new Map<string, Accessor>();

export function accessor(path: string): Accessor {
  let a = cache.get(path);
  if (!a) {
    a = compile(path);
    cache.set(path, a);
  }
  return a;
}

function compile(path: string): Accessor {
  const segments = path.split('.');
  const n = segments.length;
  // keys[i][j]: segments i..j-1 joined with dots — every key `fieldValues` would slice out.
  const keys: string[][] = [];
  for (let i = 0; i < n; i++) {
    const row: string[] = [];
    let key = segments[i]!;
    row[i + 1] = internalise(key);
    for (let j = i + 2; j <= n; j++) {
      key += `.${segments[j - 1]}`;
      row[j] = internalise(key);
    }
    keys[i] = row;
  }

  // stop[i]: the first `*` segment at or after i (n when none): dotted keys end before it.
  const stop: number[] = [];
  for (let i = n - 1, next = n; i >= 0; i--) {
    if (segments[i] === '*') next = i;
    stop[i] = next;
  }

  function collect(node: unknown, i: number, out: unknown[]): void {
    if (node === null || node === undefined) return;
    if (Array.isArray(node)) {
      for (const item of node) collect(item, i, out);
      return;
    }
    if (typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    const end = stop[i]!;
    if (end === i) {
      for (const key of Object.keys(obj)) {
        if (i + 1 === n) push(obj[key], out);
        else collect(obj[key], i + 1, out);
      }
      return;
    }
    const row = keys[i]!;
    if (end === n && Object.hasOwn(obj, row[n]!)) push(obj[row[n]!], out);
    const last = end === n ? n - 1 : end;
    for (let j = i + 1; j <= last; j++) {
      const head = row[j]!;
      if (Object.hasOwn(obj, head)) collect(obj[head], j, out);
    }
  }

  function existsFrom(node: unknown, i: number): boolean {
    if (node === null || node === undefined || typeof node !== 'object') return false;
    if (Array.isArray(node)) return node.some((item) => existsFrom(item, i));
    const obj = node as Record<string, unknown>;
    const end = stop[i]!;
    if (end === i) {
      for (const key of Object.keys(obj)) if (i + 1 === n || existsFrom(obj[key], i + 1)) return true;
      return false;
    }
    const row = keys[i]!;
    if (end === n && Object.hasOwn(obj, row[n]!)) return true;
    const last = end === n ? n - 1 : end;
    for (let j = i + 1; j <= last; j++) {
      const head = row[j]!;
      if (Object.hasOwn(obj, head) && existsFrom(obj[head], j)) return true;
    }
    return false;
  }

  return {
    path,
    values: (event, out) => collect(event, 0, out),
    exists: (event) => existsFrom(event, 0),
  };
}

/**
 * The same string as a property key: V8 looks a built (concatenated, sliced) string up in its
 * string table on every property access, an internalised one not at all — several times faster.
 */
function internalise(key: string): string {
  return Object.keys({ [key]: true })[0]!;
}

function push(value: unknown, out: unknown[]): void {
  if (Array.isArray(value)) for (const v of value) push(v, out);
  else out.push(value);
}

/** An ECS document as nested plain objects (`{ event: { kind } }`, never dotted keys). */
export type EcsDoc = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const splitCache = new Map<string, string[]>();

/** A dotted path's segments; parsers use a few hundred literal paths, so they are split once. */
function segments(path: string): string[] {
  let parts = splitCache.get(path);
  if (!parts) {
    parts = path.split('.');
    if (splitCache.size < 5_000) splitCache.set(path, parts);
  }
  return parts;
}

/**
 * Sets a dotted path, creating objects on the way. Absent values (undefined, null, '') are
 * skipped so parsers can write `put(doc, 'user.name', m[3])` without guarding every group.
 */
export function put(doc: EcsDoc, path: string, value: unknown): void {
  if (value === undefined || value === null || value === '') return;
  const parts = segments(path);
  let node = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!;
    const next = node[key];
    if (!isObject(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

export function get(doc: unknown, path: string): unknown {
  let node = doc;
  for (const part of segments(path)) {
    if (!isObject(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** Appends to an array field, once per value (ECS `related.*`, `event.type`, `tags`). */
export function add(doc: EcsDoc, path: string, value: unknown): void {
  if (value === undefined || value === null || value === '') return;
  const current = get(doc, path);
  const list = Array.isArray(current) ? current : current === undefined ? [] : [current];
  if (!list.includes(value)) list.push(value);
  put(doc, path, list);
}

/** Deep merge of `from` into `into`: objects merge, anything else replaces. */
export function merge(into: EcsDoc, from: EcsDoc): EcsDoc {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (isObject(cur) && isObject(v)) merge(cur, v);
    else into[k] = v;
  }
  return into;
}

/** ECS categorisation in one call: kind, category[], type[], outcome. */
export function categorize(
  doc: EcsDoc,
  c: {
    kind?: string;
    category?: string | string[];
    type?: string | string[];
    outcome?: string;
    action?: string;
  },
): void {
  put(doc, 'event.kind', c.kind);
  for (const v of [c.category ?? []].flat()) add(doc, 'event.category', v);
  for (const v of [c.type ?? []].flat()) add(doc, 'event.type', v);
  put(doc, 'event.outcome', c.outcome);
  put(doc, 'event.action', c.action);
}

/** A decimal integer from text, or undefined (ports, pids, status codes, byte counts). */
export function int(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string' || !/^-?\d{1,15}$/.test(value.trim())) return undefined;
  return Number.parseInt(value.trim(), 10);
}

/** Plain text of an unknown JSON value, for fields that must hold strings only. */
export function str(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
}

export { isObject };

import { fieldKind as contractKind, type FieldKind, MAX_STRING_CHARS } from '@soc/sigma/elasticsearch';
import { type EcsDoc, int, isObject } from './doc.ts';
import { canonicalIp } from './ip.ts';

/**
 * The paths documents have had, as a tree keyed by object key: walking a document down it
 * finds each field's contract kind without building the dotted path string and hashing it
 * again for every field of every document. Bounded: past MAX_NODES (keys taken from event
 * data, e.g. Windows EventData names, are open-ended) new paths are resolved, not kept.
 */
interface PathNode {
  readonly path: string;
  kind: FieldKind | undefined;
  readonly children: Map<string, PathNode>;
}

const MAX_NODES = 20_000;
let nodes = 0;
const ROOT: PathNode = { path: '', kind: undefined, children: new Map() };

function child(node: PathNode, key: string): PathNode {
  let c = node.children.get(key);
  if (c === undefined) {
    c = { path: node.path ? `${node.path}.${key}` : key, kind: undefined, children: new Map() };
    if (nodes < MAX_NODES) {
      node.children.set(key, c);
      nodes++;
    }
  }
  return c;
}

/** The contract's kind of a path, computed once per path. */
function fieldKind(node: PathNode): FieldKind {
  node.kind ??= contractKind(node.path);
  return node.kind;
}

/**
 * The writer's duties of the mapping contract (services/sigma/README.md), applied to every
 * document in one pass, so no parser can break them:
 * - no `null`, no empty arrays or objects (the key is dropped);
 * - strings cut at MAX_STRING_CHARS (tag `_truncated_field`);
 * - `long` fields integers, `ip` fields canonical, flag fields booleans;
 * - one JSON type per array: a mixed array becomes strings.
 * Returns the paths of cut strings.
 */
export function finalize(doc: EcsDoc): string[] {
  const cut: string[] = [];
  clean(doc, ROOT, cut);
  if (cut.length) {
    const tags = Array.isArray(doc.tags) ? doc.tags : [];
    if (!tags.includes('_truncated_field')) tags.push('_truncated_field');
    doc.tags = tags;
  }
  return cut;
}

function scalar(value: unknown, node: PathNode, cut: string[]): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    const kind = fieldKind(node);
    if (kind === 'long') return Number.isSafeInteger(value) ? value : undefined;
    if (kind === 'ip' || kind === 'flag') return String(value);
    return value;
  }
  if (typeof value === 'boolean') {
    const kind = fieldKind(node);
    return kind === 'long' || kind === 'ip' ? undefined : value;
  }
  if (typeof value === 'string') {
    const kind = fieldKind(node);
    if (kind === 'long') return int(value);
    if (kind === 'flag') {
      const v = value.toLowerCase();
      return v === 'true' ? true : v === 'false' ? false : undefined;
    }
    let s = value;
    if (kind === 'ip') s = canonicalIp(s) ?? s;
    if (s.length > MAX_STRING_CHARS) {
      cut.push(node.path);
      // never split a surrogate pair: the half would be an invalid string in JSON
      let end = MAX_STRING_CHARS;
      const code = s.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end--;
      s = s.slice(0, end);
    }
    return s;
  }
  if (typeof value === 'bigint') return String(value);
  return undefined;
}

function clean(obj: Record<string, unknown>, parent: PathNode, cut: string[]): void {
  for (const key of Object.keys(obj)) {
    const node = child(parent, key);
    const v = obj[key];
    if (isObject(v)) {
      clean(v, node, cut);
      if (Object.keys(v).length === 0) delete obj[key];
    } else if (Array.isArray(v)) {
      const items: unknown[] = [];
      for (const item of v) {
        if (isObject(item)) {
          clean(item, node, cut);
          if (Object.keys(item).length) items.push(item);
        } else if (!Array.isArray(item)) {
          const s = scalar(item, node, cut);
          if (s !== undefined) items.push(s);
        }
      }
      const types = new Set(items.map((i) => (isObject(i) ? 'object' : typeof i)));
      if (items.length === 0) delete obj[key];
      else if (types.size > 1)
        obj[key] = items
          .map((i) => (typeof i === 'string' ? i : JSON.stringify(i)))
          .map((s) => s.slice(0, MAX_STRING_CHARS));
      else obj[key] = items;
    } else {
      const s = scalar(v, node, cut);
      if (s === undefined) delete obj[key];
      else obj[key] = s;
    }
  }
}

/**
 * Test support for the agreement test: ECS events synthesised from a rule's own values (so
 * the rule has something to find) and near-misses of them (a character changed, the case
 * changed, the value cut), obeying the mapping contract (./mapping.ts).
 */
import { parseModifiers } from '../../detection/modifiers.ts';
import { stringValuePatterns } from '../../detection/values.ts';
import type { Pattern } from '../../detection/wildcard.ts';
import { fieldResolver } from '../../pipeline/fields.ts';
import { sourcesFor } from '../../pipeline/route.ts';
import type { Pipeline, PipelineSource } from '../../pipeline/types.ts';
import type { SigmaRule } from '../../rule/model.ts';
import { fieldKind, MAX_STRING_CHARS } from './mapping.ts';

export type Doc = Record<string, unknown>;

/** A small deterministic generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sets a dotted path in a nested document; false when it would clash with a value already there. */
export function setPath(doc: Doc, path: string, value: unknown): boolean {
  if (path === '' || path.startsWith('_') || path.split('.').some((s) => s === '')) return false;
  const parts = path.split('.');
  let node = doc;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === undefined) node[part] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) return false;
    node = node[part] as Doc;
  }
  const leaf = parts[parts.length - 1]!;
  if (typeof node[leaf] === 'object' && node[leaf] !== null) return false;
  node[leaf] = value;
  return true;
}

/** The JSON value a path holds under the contract, or undefined when it cannot hold this one. */
function typedValue(path: string, s: string): unknown {
  switch (fieldKind(path)) {
    case 'long':
      return /^-?\d{1,15}$/.test(s) ? Number(s) : undefined;
    case 'flag':
      return /^(true|false)$/i.test(s) ? s.toLowerCase() === 'true' : undefined;
    case 'date':
      return undefined;
    default:
      return s.slice(0, MAX_STRING_CHARS);
  }
}

function instantiate(p: Pattern, r: () => number): string {
  const dashes = ['-', '/', '\u2013'];
  return p
    .map((part) => {
      if (part.k === 'lit') return part.s;
      if (part.k === 'star') return r() < 0.5 ? '' : ' zq ';
      if (part.k === 'one') return 'k';
      if (part.k === 'dash') return dashes[Math.floor(r() * dashes.length)]!;
      return '';
    })
    .join('');
}

/** A crude example string for a regex: literals kept, simple classes and repeats replaced. */
function regexExample(src: string): string {
  return src
    .replace(/^\(\?[ims]+\)/, '')
    .replace(/\\d[+*]?|\[0-9\][+*]?/g, '7')
    .replace(/\\s[+*]?/g, ' ')
    .replace(/\\w[+*]?/g, 'w')
    .replace(/\.[*+]\??/g, 'x')
    .replace(/\[\^?([^\]\\])[^\]]*\][+*?]?/g, '$1')
    .replace(/\(\?:|\(|\)[?*+]?/g, '')
    .replace(/\|.*$/, '')
    .replace(/[\^$]/g, '')
    .replace(/\\(.)/g, '$1')
    .replace(/\{\d+(,\d*)?\}/g, '');
}

/** A value satisfying one `field|modifiers: values` entry (undefined: leave the field out). */
function valueFor(
  field: string | undefined,
  modifiers: string[],
  values: unknown[],
  r: () => number,
): string | undefined {
  const placeholders = currentPlaceholders;
  const plan = parseModifiers(field, modifiers);
  const v = values[Math.floor(r() * values.length)];
  if (v === null || v === undefined) return undefined;
  if (plan.neq) return 'zz-other';
  switch (plan.kind) {
    case 'exists':
      return String(v).toLowerCase() === 'true' ? 'present' : undefined;
    case 'cidr':
      return String(v).split('/')[0];
    case 'compare': {
      const n = Number(v);
      return String(plan.compare!.startsWith('l') ? n - 1 : n + 1);
    }
    case 're':
      return regexExample(String(v));
    case 'string': {
      const anchor = field === undefined && plan.anchor === 'exact' ? 'contains' : plan.anchor;
      const chosen = plan.all ? values : [v];
      try {
        return chosen
          .map((x) => {
            const ps = stringValuePatterns(plan, field, modifiers, String(x), anchor, { placeholders });
            return instantiate(ps[Math.floor(r() * ps.length)] ?? [], r);
          })
          .join(' ');
      } catch {
        return undefined;
      }
    }
    default:
      return undefined;
  }
}

type Paths = (field: string) => readonly string[];

/** The placeholder values of the rule being synthesised (set by eventsForRule). */
let currentPlaceholders: Record<string, string[]> = {};

function applyMap(doc: Doc, map: Record<string, unknown>, paths: Paths, r: () => number): void {
  for (const [key, raw] of Object.entries(map)) {
    const [field = '', ...modifiers] = key.split('|');
    const values = Array.isArray(raw) ? raw : [raw];
    const s = valueFor(field === '' ? undefined : field, modifiers, values, r);
    if (s === undefined) continue;
    const candidates = field === '' ? ['message'] : [...paths(field)];
    const start = r() < 0.7 ? 0 : Math.floor(r() * candidates.length);
    for (let i = 0; i < candidates.length; i++) {
      const path = candidates[(start + i) % candidates.length]!;
      const typed = typedValue(path, s);
      if (typed !== undefined && setPath(doc, path, typed)) break;
    }
  }
}

function applySearch(doc: Doc, search: unknown, paths: Paths, r: () => number): void {
  if (Array.isArray(search)) {
    const maps = search.filter((x) => typeof x === 'object' && x !== null);
    if (maps.length === search.length && maps.length > 0) {
      applyMap(doc, maps[Math.floor(r() * maps.length)] as Record<string, unknown>, paths, r);
    } else applyMap(doc, { '': search }, paths, r);
  } else if (typeof search === 'object' && search !== null)
    applyMap(doc, search as Record<string, unknown>, paths, r);
  else applyMap(doc, { '': [search] }, paths, r);
}

/** An event of the source: its conditions satisfied, with the first value of each. */
function sourceEvent(source: PipelineSource): Doc {
  const doc: Doc = { '@timestamp': '2024-05-06T07:08:09.000Z' };
  for (const c of source.conditions) {
    const path = c.paths[0]!;
    if (c.kind === 'exists') {
      if (c.exists) setPath(doc, path, 'present');
      continue;
    }
    const exact = [...c.exact][0];
    const value =
      exact ??
      c.globs[0]!.source.replace(/^\^|\$$/g, '')
        .replace(/\.\*/g, 'x')
        .replace(/\\(.)/g, '$1');
    setPath(doc, path, typedValue(path, value) ?? value);
  }
  return doc;
}

/** Near-misses of a document: one string changed (a character, the case, cut short). */
function mutations(doc: Doc, r: () => number): Doc[] {
  const out: Doc[] = [];
  const strings: string[][] = [];
  const walk = (node: unknown, at: string[]) => {
    if (typeof node === 'string' && at[0] !== '@timestamp') strings.push(at);
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...at, k]);
  };
  walk(doc, []);
  for (let i = 0; i < 2 && strings.length > 0; i++) {
    const at = strings[Math.floor(r() * strings.length)]!;
    const copy = structuredClone(doc);
    let node = copy as Record<string, unknown>;
    for (const k of at.slice(0, -1)) node = node[k] as Record<string, unknown>;
    const leaf = at[at.length - 1]!;
    const s = node[leaf] as string;
    const j = Math.floor(r() * Math.max(1, s.length));
    const kind = (i + Math.floor(r() * 3)) % 3;
    node[leaf] =
      kind === 0
        ? `${s.slice(0, j)}Q${s.slice(j + 1)}`
        : kind === 1
          ? s === s.toUpperCase()
            ? s.toLowerCase()
            : s.toUpperCase()
          : s.slice(0, Math.max(0, s.length - 2));
    out.push(copy);
  }
  return out;
}

/** Positive events (each search alone, all but the filters, everything) and their near-misses. */
export function eventsForRule(
  rule: SigmaRule,
  pipeline: Pipeline,
  seed: number,
  placeholders: Record<string, string[]> = {},
): Doc[] {
  const r = rng(seed);
  currentPlaceholders = placeholders;
  const sources = sourcesFor(pipeline, rule.logsource);
  if (sources.length === 0) return [];
  // The first source, and another one when the rule reads fields differently there.
  const other = sources[Math.floor(r() * sources.length)]!;
  const picks =
    fieldResolver(pipeline, other) === fieldResolver(pipeline, sources[0]!)
      ? [sources[0]!]
      : [sources[0]!, other];
  const ids = Object.keys(rule.detection).filter((k) => k !== 'condition' && k !== 'timeframe');
  const out: Doc[] = [];
  for (const s of picks) {
    const paths = fieldResolver(pipeline, s);
    const base = sourceEvent(pipeline.sources[s]!);
    const variants: string[][] = [ids.filter((id) => !/^(filter|_)/i.test(id)), ids];
    if (ids.length > 1) variants.push([ids[Math.floor(r() * ids.length)]!]);
    for (const set of variants) {
      const doc = structuredClone(base);
      for (const id of set) applySearch(doc, rule.detection[id], paths, r);
      out.push(doc);
    }
    out.push(...mutations(out[out.length - variants.length]!, r));
  }
  return out;
}

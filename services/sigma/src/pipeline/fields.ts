/**
 * Where a Sigma field name is found in an event. A field resolves to one or more event paths;
 * its values are the union of the values at every path, and it exists when any path does.
 * The union (rather than "first path present") is what an Elasticsearch query can say too
 * (`a:v OR b:v`), so the stream and the index agree on every rule. Paths are looked up as
 * `fieldValues` in ../event/access.ts does.
 */
import { accessor } from './accessor.ts';
import type { Pipeline, SourceId } from './types.ts';

/** Sigma field name → event paths. The arrays returned are shared and frozen: do not modify them. */
export type FieldResolver = (field: string) => string[];

/** Source-specific rename > global rename > each prefix + name > the name itself. */
export function resolvePaths(
  own: ReadonlyMap<string, readonly string[]> | undefined,
  global: ReadonlyMap<string, readonly string[]>,
  prefixes: readonly string[],
  field: string,
): string[] {
  const renamed = own?.get(field) ?? global.get(field);
  if (renamed) return renamed as string[];
  const paths: string[] = [];
  for (const prefix of prefixes) paths.push(prefix + field);
  paths.push(field);
  return Object.freeze([...new Set(paths)]) as string[];
}

const identity: FieldResolver = (field) => [field];
const resolvers = new WeakMap<Pipeline, Map<SourceId | undefined, FieldResolver>>();

/**
 * The field resolver for events of `source` (`undefined`: no particular source, i.e. global
 * renames and prefixes only). Sources without renames or prefixes of their own share one
 * resolver function, so a caller can evaluate a rule once per distinct resolver rather than
 * once per source. With no pipeline, field names are used as they are.
 */
export function fieldResolver(p: Pipeline | undefined, source: SourceId | undefined): FieldResolver {
  if (!p) return identity;
  const entry = source === undefined ? undefined : p.sources[source];
  const key = entry && (entry.fields.size > 0 || entry.fieldPrefixes) ? entry.id : undefined;
  let byKey = resolvers.get(p);
  if (!byKey) {
    byKey = new Map();
    resolvers.set(p, byKey);
  }
  let resolver = byKey.get(key);
  if (!resolver) {
    const own = key === undefined ? undefined : entry?.fields;
    const prefixes = (key === undefined ? undefined : entry?.fieldPrefixes) ?? p.fieldPrefixes;
    const cache = new Map<string, string[]>();
    resolver = (field) => {
      let paths = cache.get(field);
      if (!paths) {
        paths = resolvePaths(own, p.fields, prefixes, field);
        cache.set(field, paths);
      }
      return paths;
    };
    byKey.set(key, resolver);
  }
  return resolver;
}

/** The union of the values at `paths`. */
export function valuesAt(event: unknown, paths: readonly string[]): unknown[] {
  const out: unknown[] = [];
  for (const path of paths) accessor(path).values(event, out);
  return out;
}

/** Whether any of `paths` exists in the event. */
export function existsAt(event: unknown, paths: readonly string[]): boolean {
  for (const path of paths) if (accessor(path).exists(event)) return true;
  return false;
}

/**
 * The event time in epoch milliseconds: the first pipeline time field that parses, then
 * `@timestamp`. Numbers below 10^11 are taken as epoch seconds.
 */
export function eventTime(p: Pipeline | undefined, event: unknown): number | undefined {
  for (const path of p?.timeFields ?? []) {
    const t = firstTime(valuesAt(event, [path]));
    if (t !== undefined) return t;
  }
  return firstTime(valuesAt(event, TIMESTAMP));
}

const TIMESTAMP = ['@timestamp'];

function firstTime(values: unknown[]): number | undefined {
  for (const v of values) {
    const t = toEpochMs(v);
    if (t !== undefined) return t;
  }
  return undefined;
}

const NO_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

function toEpochMs(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? (Math.abs(v) < 1e11 ? v * 1000 : v) : undefined;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v !== 'string' || v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return toEpochMs(Number(v));
  // A date-time without a zone is read as UTC, never as the machine's local time.
  const t = Date.parse(NO_ZONE.test(v) ? `${v.replace(' ', 'T')}Z` : v);
  return Number.isNaN(t) ? undefined : t;
}

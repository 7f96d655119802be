import type { ElasticsearchClient, SocIndices } from '@soc/core';
import { indexDefinitions } from './mappings.ts';

type Client = InstanceType<typeof ElasticsearchClient>;

export interface Versioned<T> {
  doc: T;
  seqNo: number;
  primaryTerm: number;
}

const statusOf = (err: unknown): number | undefined =>
  (err as { meta?: { statusCode?: number } })?.meta?.statusCode;

export const isConflict = (err: unknown) => statusOf(err) === 409;
export const isNotFound = (err: unknown) => statusOf(err) === 404;

/**
 * Creates the indices (and the alerts alias) that do not exist yet, and adds fields a newer
 * version maps to those that do (strict mappings would refuse documents carrying them);
 * safe to run on every start.
 */
export async function ensureIndices(es: Client, ix: SocIndices): Promise<void> {
  for (const def of indexDefinitions(ix)) {
    if (await es.indices.exists({ index: def.name })) {
      await addMissingFields(es, def.name, def.mappings as { properties?: Record<string, unknown> });
      continue;
    }
    try {
      await es.indices.create({
        index: def.name,
        mappings: def.mappings as never,
        settings: { number_of_replicas: 0, number_of_shards: 1, ...def.settings },
        ...(def.alias ? { aliases: { [def.alias]: { is_write_index: true } } } : {}),
      });
    } catch (err) {
      // Another instance created it between our check and create.
      if (
        (err as { body?: { error?: { type?: string } } }).body?.error?.type !==
        'resource_already_exists_exception'
      )
        throw err;
    }
  }
}

/** A document with its concurrency token, or undefined when it (or its index) does not exist. */
export async function getVersioned<T>(
  es: Client,
  index: string,
  id: string,
): Promise<Versioned<T> | undefined> {
  try {
    const r = await es.get<T>({ index, id });
    if (!r.found || !r._source) return undefined;
    return { doc: r._source, seqNo: r._seq_no!, primaryTerm: r._primary_term! };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function getDoc<T>(es: Client, index: string, id: string): Promise<T | undefined> {
  return (await getVersioned<T>(es, index, id))?.doc;
}

/** The `_source` of each hit, with the hit's sort values for search_after. */
export function hitsOf<T>(r: { hits: { hits: { _source?: T; sort?: unknown[] }[] } }): {
  docs: T[];
  lastSort: unknown[] | undefined;
} {
  const hits = r.hits.hits;
  return { docs: hits.map((h) => h._source as T), lastSort: hits.at(-1)?.sort };
}

export type { Client };

/** Top-level fields only, and only new ones: changing an existing field's type is a reindex, not this. */
async function addMissingFields(
  es: Client,
  index: string,
  mappings: { properties?: Record<string, unknown> },
): Promise<void> {
  const wanted = mappings.properties ?? {};
  const current = Object.values(await es.indices.getMapping({ index }))[0]?.mappings.properties ?? {};
  const missing = Object.fromEntries(Object.entries(wanted).filter(([k]) => !(k in current)));
  if (Object.keys(missing).length) await es.indices.putMapping({ index, properties: missing as never });
}

import { type ElasticsearchClient, ensureIndex, type SocIndices } from '@soc/core';
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

/** Creates the API's indices that do not exist yet and brings existing ones up to date (see `ensureIndex`). */
export async function ensureIndices(es: Client, ix: SocIndices): Promise<void> {
  for (const def of indexDefinitions(ix)) await ensureIndex(es, def);
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

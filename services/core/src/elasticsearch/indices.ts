import type { Client } from '@elastic/elasticsearch';
import { ALERT_INDEX_SORT, ALERT_MAPPING, ALERTS_REFRESH_INTERVAL } from '../model/alert.ts';
import type { SocIndices } from '../model/indices.ts';
import { RULE_STATE_MAPPING } from '../model/rule-state.ts';

/** One index of the product's own documents, as every service that may create it defines it. */
export interface IndexDefinition {
  name: string;
  mappings: { properties?: Record<string, unknown> } & Record<string, unknown>;
  /** An alias created with the index, as its write index. */
  alias?: string;
  /**
   * Settings beyond the defaults (one shard; one replica where the cluster has a second node).
   * Applied at creation; of an existing index only `refresh_interval` is brought up to date
   * (the others, like the index sort, are fixed once it exists).
   */
  settings?: Record<string, unknown>;
}

/** A definition from a mapping constant (the mappings are `as const` objects). */
export function indexDefinition(
  name: string,
  mappings: object,
  more: Omit<IndexDefinition, 'name' | 'mappings'> = {},
): IndexDefinition {
  return { name, mappings: mappings as IndexDefinition['mappings'], ...more };
}

/**
 * The alerts index (behind its alias, newest first, refreshed every 250 ms) and the rules
 * index: detection writes them and the API reads and edits them, so whichever starts first
 * creates them, from this one definition.
 */
export function alertIndexDefinitions(ix: SocIndices): IndexDefinition[] {
  return [
    indexDefinition(ix.alertsConcrete, ALERT_MAPPING, {
      alias: ix.alerts,
      settings: { sort: ALERT_INDEX_SORT, refresh_interval: ALERTS_REFRESH_INTERVAL },
    }),
    indexDefinition(ix.rules, RULE_STATE_MAPPING),
  ];
}

const alreadyExists = (err: unknown) =>
  (err as { body?: { error?: { type?: string } } }).body?.error?.type ===
    'resource_already_exists_exception' || String((err as Error).message).includes('resource_already_exists');

/**
 * Creates the index when it does not exist (a race with another service or process creating
 * it is harmless); when it does, adds the fields a newer version maps, at any depth (strict
 * mappings would refuse documents carrying them), and the current refresh interval. Changing
 * an existing field's type is a reindex, not this. Safe to run on every start.
 */
export async function ensureIndex(es: Client, def: IndexDefinition): Promise<void> {
  if (await es.indices.exists({ index: def.name })) {
    const refresh = def.settings?.refresh_interval;
    if (refresh !== undefined)
      await es.indices.putSettings({ index: def.name, settings: { refresh_interval: refresh as string } });
    await addMissingFields(es, def.name, def.mappings.properties ?? {});
    return;
  }
  try {
    await es.indices.create({
      index: def.name,
      mappings: def.mappings as never,
      settings: { number_of_shards: 1, auto_expand_replicas: '0-1', ...def.settings },
      ...(def.alias ? { aliases: { [def.alias]: { is_write_index: true } } } : {}),
    });
  } catch (err) {
    if (!alreadyExists(err)) throw err;
  }
}

async function addMissingFields(es: Client, index: string, wanted: Record<string, unknown>): Promise<void> {
  const current = Object.values(await es.indices.getMapping({ index }))[0]?.mappings.properties ?? {};
  const missing = missingFields(wanted, current as Record<string, unknown>);
  if (missing) await es.indices.putMapping({ index, properties: missing as never });
}

type Field = { properties?: Record<string, unknown> } & Record<string, unknown>;

/**
 * The fields of `wanted` that `current` lacks, at any depth: a new object field whole, a new
 * sub-field under its existing parent (with the parent's own parameters, unchanged, so the
 * update merges). Existing fields are never sent again, so a changed parameter is not an error
 * here (it needs a reindex, not this).
 */
export function missingFields(
  wanted: Record<string, unknown>,
  current: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [name, w] of Object.entries(wanted) as [string, Field][]) {
    const c = current[name] as Field | undefined;
    if (c === undefined) out[name] = w;
    else if (w.properties && c.properties) {
      const sub = missingFields(w.properties, c.properties);
      if (sub) out[name] = { ...w, properties: sub };
    }
  }
  return Object.keys(out).length ? out : undefined;
}

import type { Client } from '@elastic/elasticsearch';
import { ASSET_MAPPING, ensureIndex, indexDefinition } from '@soc/core';
import { indexMappings, indexSettings } from '@soc/sigma/elasticsearch';
import type { IngestConfig } from './config.ts';
import { retentionClasses } from './retention.ts';

/**
 * The Elasticsearch layout (README "Elasticsearch layout"):
 *
 *   <prefix>-events-<days>d-<yyyy.MM.dd>   events, one index per UTC day of @timestamp and per
 *                                          retention period (from the organisation / security
 *                                          level), so retention always deletes whole indices
 *   <prefix>-events                        alias over all of them, for searching
 *   <prefix>-deadletter-<yyyy.MM.dd>       dead letters (reason + original), alias <prefix>-deadletter
 *   <prefix>-assets                        the asset registry ingest enriches from
 *
 * Event mappings are the Sigma backend's contract (`@soc/sigma/elasticsearch`), plus the
 * `soc.*` enrichment fields, so a retro-hunt over history sees what the stream saw.
 */
export interface Names {
  prefix: string;
  eventsAlias: string;
  deadLetterAlias: string;
  assets: string;
}

export function names(prefix: string): Names {
  return {
    prefix,
    eventsAlias: `${prefix}-events`,
    deadLetterAlias: `${prefix}-deadletter`,
    assets: `${prefix}-assets`,
  };
}

/** `2026.03.11` of a UTC instant. */
export function day(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${String(d.getUTCDate()).padStart(2, '0')}`;
}

export function eventsIndex(prefix: string, retentionDays: number, ms: number): string {
  return `${prefix}-events-${retentionDays}d-${day(ms)}`;
}

export function deadLetterIndex(prefix: string, ms: number): string {
  return `${prefix}-deadletter-${day(ms)}`;
}

/** `<prefix>-events-365d-2026.03.11` → { days: 365, ms: start of that day } (undefined for other names). */
export function parseIndexName(
  prefix: string,
  name: string,
): { kind: 'events' | 'deadletter'; days?: number; ms: number } | undefined {
  const m = new RegExp(`^${prefix}-(events-(\\d+)d|deadletter)-(\\d{4})\\.(\\d{2})\\.(\\d{2})$`).exec(name);
  if (!m) return undefined;
  const ms = Date.UTC(+m[3]!, +m[4]! - 1, +m[5]!);
  return m[2] ? { kind: 'events', days: +m[2], ms } : { kind: 'deadletter', ms };
}

/** Fields ingest adds beside the contract: typed so compliance reports can range over levels. */
const SOC_MAPPINGS = {
  soc: {
    properties: {
      asset: {
        properties: { known: { type: 'boolean' }, id: { type: 'keyword' }, matched_by: { type: 'keyword' } },
      },
      system: { properties: { id: { type: 'keyword' }, name: { type: 'keyword' } } },
      organization: { properties: { id: { type: 'keyword' }, name: { type: 'keyword' } } },
      security_level: { type: 'byte' },
    },
  },
};

export const DEAD_LETTER_MAPPINGS = {
  dynamic: false,
  properties: {
    '@timestamp': { type: 'date' },
    reason: { type: 'keyword' },
    detail: { type: 'text' },
    message_id: { type: 'keyword' },
    agent: { properties: { id: { type: 'keyword' } } },
    source: { type: 'keyword' },
    nats: {
      properties: {
        subject: { type: 'keyword' },
        stream_seq: { type: 'long' },
        deliveries: { type: 'long' },
      },
    },
    error: { properties: { type: { type: 'keyword' }, reason: { type: 'text' } } },
    // the original and the refused document are kept, not indexed: they may be anything
    original: { type: 'text', index: false },
    original_encoding: { type: 'keyword' },
    original_bytes: { type: 'long' },
    original_truncated: { type: 'boolean' },
    document: { type: 'object', enabled: false },
  },
};

/** The asset registry's mapping is the API's and ingest's shared contract (`@soc/core`). */
export const ASSET_MAPPINGS = ASSET_MAPPING;

export function eventsMappings(): Record<string, unknown> {
  return {
    ...indexMappings,
    properties: { ...indexMappings.properties, ...SOC_MAPPINGS },
  };
}

/** Whether the cluster has ILM (the minimal integ-test distribution does not). */
export async function hasIlm(es: Client): Promise<boolean> {
  try {
    await es.ilm.getStatus();
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates or updates the templates (idempotent; every ingest process runs it at start).
 * With ILM, each retention period gets a delete policy keyed on the date in the index name;
 * without it, the retention job deletes (it runs either way).
 */
export async function ensureLayout(es: Client, config: IngestConfig): Promise<{ ilm: boolean }> {
  const n = names(config.indices.prefix);
  const ilm = await hasIlm(es);
  const settings = {
    ...indexSettings,
    number_of_shards: config.indices.shards,
    auto_expand_replicas: config.indices.replicas,
    refresh_interval: config.indices.refreshInterval,
  };
  await es.cluster.putComponentTemplate({
    name: `${n.prefix}-events-mappings`,
    template: { settings, mappings: eventsMappings() as never },
  });
  const classes = retentionClasses(config.retention);
  // The catch-all serves a period not configured at start (a policy changed while running).
  await es.indices.putIndexTemplate({
    name: `${n.prefix}-events`,
    index_patterns: [`${n.prefix}-events-*`],
    priority: 100,
    composed_of: [`${n.prefix}-events-mappings`],
    template: { aliases: { [n.eventsAlias]: {} } },
  });
  for (const d of classes) {
    const lifecycle = ilm
      ? { 'index.lifecycle.name': `${n.prefix}-events-${d}d`, 'index.lifecycle.parse_origination_date': true }
      : {};
    if (ilm)
      await es.ilm.putLifecycle({
        name: `${n.prefix}-events-${d}d`,
        policy: { phases: { delete: { min_age: `${d + 1}d`, actions: { delete: {} } } } },
      });
    await es.indices.putIndexTemplate({
      name: `${n.prefix}-events-${d}d`,
      index_patterns: [`${n.prefix}-events-${d}d-*`],
      priority: 200,
      composed_of: [`${n.prefix}-events-mappings`],
      template: { aliases: { [n.eventsAlias]: {} }, settings: lifecycle },
    });
  }
  await es.indices.putIndexTemplate({
    name: `${n.prefix}-deadletter`,
    index_patterns: [`${n.prefix}-deadletter-*`],
    priority: 100,
    template: {
      settings: { number_of_shards: 1, auto_expand_replicas: config.indices.replicas },
      mappings: DEAD_LETTER_MAPPINGS as never,
      aliases: { [n.deadLetterAlias]: {} },
    },
  });
  // The API creates it too, from the same definition: whichever starts first.
  await ensureIndex(
    es,
    indexDefinition(n.assets, ASSET_MAPPINGS, {
      settings: { auto_expand_replicas: config.indices.replicas },
    }),
  );
  // A just-created index answers searches only once its shard is started.
  await es.cluster.health({ index: n.assets, wait_for_status: 'yellow', timeout: '60s' });
  return { ilm };
}

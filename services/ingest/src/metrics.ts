import { Counter, Gauge, Histogram, type Registry } from '@soc/core';

/** What an operator watches: flow per source, Elasticsearch latency, backlog, dead letters. */
export function ingestMetrics(registry: Registry) {
  return {
    eventsIn: new Counter({
      name: 'soc_ingest_events_in_total',
      help: 'Messages taken from the stream, by parser (source); dead letters under source="deadletter"',
      labelNames: ['source'],
      registers: [registry],
    }),
    eventsOut: new Counter({
      name: 'soc_ingest_events_out_total',
      help: 'Documents Elasticsearch holds and whose message was acknowledged, by source and result (created | duplicate)',
      labelNames: ['source', 'result'],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'soc_ingest_dead_letters_total',
      help: 'Messages written to the dead-letter index, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    bulkSeconds: new Histogram({
      name: 'soc_ingest_bulk_seconds',
      help: 'Latency of one _bulk request',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    bulkDocs: new Histogram({
      name: 'soc_ingest_bulk_documents',
      help: 'Documents per _bulk request',
      buckets: [1, 10, 100, 500, 1000, 2000, 5000, 10000],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'soc_ingest_bulk_retries_total',
      help: 'Bulk requests or items sent again, by cause (connection | status_429 | status_5xx | item)',
      labelNames: ['cause'],
      registers: [registry],
    }),
    pending: new Gauge({
      name: 'soc_ingest_consumer_pending',
      help: 'Messages of the stream not yet delivered to ingest (consumer lag)',
      registers: [registry],
    }),
    ackPending: new Gauge({
      name: 'soc_ingest_consumer_ack_pending',
      help: 'Messages delivered to ingest and not yet acknowledged',
      registers: [registry],
    }),
    assets: new Gauge({
      name: 'soc_ingest_assets',
      help: 'Entries in the asset registry snapshot',
      registers: [registry],
    }),
    retentionDeleted: new Counter({
      name: 'soc_ingest_retention_deleted_indices_total',
      help: 'Indices deleted by the retention job',
      registers: [registry],
    }),
  };
}

export type IngestMetrics = ReturnType<typeof ingestMetrics>;

export { AssetSource } from './assets.ts';
export { type BulkItem, BulkWriter, type ItemOutcome } from './bulk.ts';
export { type IngestConfig, ingestSchema, ingestServiceSchema } from './config.ts';
export { deadLetterDoc } from './deadletter.ts';
export { Ingestor } from './ingestor.ts';
export * from './layout.ts';
export { expiredIndices, retentionClasses, retentionDays, runRetention } from './retention.ts';
export { type IngestContext, startIngest } from './service.ts';

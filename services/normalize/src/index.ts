/**
 * @soc/normalize — agent messages to Elastic Common Schema documents. Pure functions, no I/O:
 * the ingest service writes what they return, and detection evaluates the same documents.
 */
export { type AssetInfo, type AssetRecord, AssetRegistry, enrich, SOC_FIELDS } from './assets.ts';
export { add, type EcsDoc, get, merge, put } from './doc.ts';
export { finalize } from './finalize.ts';
export { canonicalIp } from './ip.ts';
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_TIME_ZONE,
  type DeadLetterReason,
  type NormalizeOptions,
  type NormalizeResult,
  normalize,
  normalizeMessage,
} from './normalize.ts';
export { PARSERS, parserFor } from './registry.ts';
export { ParseError, type ParseInput, type Parser } from './types.ts';

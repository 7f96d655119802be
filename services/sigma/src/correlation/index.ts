/** Sigma correlation rules: streaming evaluation over base-rule matches (see engine.ts for the semantics). */
export { CorrelationEngine, type CorrelationEngineOptions } from './engine.ts';
export { pipelineFieldReader } from './fields.ts';
export type { CompiledCorrelation } from './resolve.ts';
export type { CorrelationSnapshot } from './snapshot.ts';
export { parseTimespan } from './timespan.ts';
export {
  type BaseMatch,
  type CorrelationLimits,
  type CorrelationMatch,
  type CorrelationStats,
  DEFAULT_LIMITS,
  type EventRef,
  type FieldReader,
  type Scalar,
} from './types.ts';

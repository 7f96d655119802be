/** Logsource pipelines: routing events to Sigma logsources and Sigma fields to event paths. */
export { type Accessor, accessor } from './accessor.ts';
export { eventTime, existsAt, type FieldResolver, fieldResolver, valuesAt } from './fields.ts';
export { loadPipeline, PIPELINES_DIR, parsePipeline } from './load.ts';
export { mergePipelines } from './merge.ts';
export { holds, sourcesFor, sourcesOfEvent } from './route.ts';
export {
  ANY_SOURCE,
  type Condition,
  type Logsource,
  normalise,
  type Pipeline,
  type PipelineSource,
  type SourceId,
} from './types.ts';

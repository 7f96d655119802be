export { compileDetection, PredicateCache } from './detection/compile.ts';
export { parseCondition, resolveCondition, type ConditionNode } from './detection/condition.ts';
export { type EventView, type Predicate, SigmaError } from './detection/types.ts';
export { SigmaEngine, type EngineOptions, type RuleState, type RuleStatus } from './engine.ts';
export { fieldValues, fieldExists, allStrings } from './event/access.ts';
export { parseJsonValues } from './event/json-stream.ts';
export { listRuleFiles, parseSigmaFile, parseSigmaText, type LoadResult } from './rule/load.ts';
export * from './rule/model.ts';
export { loadPipeline, type Pipeline } from './pipeline/index.ts';

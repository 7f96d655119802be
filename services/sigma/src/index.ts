export { compileDetection, PredicateCache } from './detection/compile.ts';
export { type ConditionNode, parseCondition, resolveCondition } from './detection/condition.ts';
export { type EventView, type Predicate, SigmaError } from './detection/types.ts';
export { type EngineOptions, type RuleState, type RuleStatus, SigmaEngine } from './engine.ts';
export { allStrings, fieldExists, fieldValues } from './event/access.ts';
export { parseJsonValues } from './event/json-stream.ts';
export { loadPipeline, type Pipeline } from './pipeline/index.ts';
export { type LoadResult, lineOfPath, listRuleFiles, parseSigmaFile, parseSigmaText } from './rule/load.ts';
export * from './rule/model.ts';

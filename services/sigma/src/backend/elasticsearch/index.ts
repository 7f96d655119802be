/** The Elasticsearch backend: Sigma rules as Query DSL, and the mapping contract it relies on. */
export { detectionQuery, type EsCompileOptions, ruleQuery } from './compile.ts';
export { MATCH_ALL, MATCH_NONE, type Query } from './dsl.ts';
export { UnsupportedError, type UnsupportedReason } from './errors.ts';
export { esCidr, fieldQuery } from './field.ts';
export * from './mapping.ts';
export { luceneRegexp } from './regex.ts';
export { sourceFilter } from './source.ts';

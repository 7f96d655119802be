/**
 * A logsource pipeline, compiled from its YAML file. A pipeline says which events stand for
 * which Sigma logsource (its sources) and where a Sigma field name is found in those events.
 * It is data only: nothing in a pipeline file is ever executed.
 */

/** A rule's `logsource:` block. `definition` is prose and never used for routing. */
export interface Logsource {
  category?: string;
  product?: string;
  service?: string;
  definition?: string;
}

/** Index of a source in `Pipeline.sources`; `ANY_SOURCE` when there is no pipeline. */
export type SourceId = number;

/** The one source of "no pipeline": every event is a candidate for every rule. */
export const ANY_SOURCE: SourceId = -1;

/** A test one event must pass to belong to a source. */
export type Condition =
  | {
      readonly kind: 'values';
      /** The Sigma field name as written in the pipeline. */
      readonly field: string;
      /** Event paths the field resolves to (global renames and prefixes). */
      readonly paths: readonly string[];
      /** Normalised exact values (see `normalise`); the field holds when any value is one of them. */
      readonly exact: ReadonlySet<string>;
      /** `*` wildcard patterns, matched against the normalised value. */
      readonly globs: readonly RegExp[];
    }
  | {
      readonly kind: 'exists';
      readonly field: string;
      readonly paths: readonly string[];
      readonly exists: boolean;
    };

/** One `logsources:` entry: a kind of event and the Sigma logsource it stands for. */
export interface PipelineSource {
  readonly id: SourceId;
  /** The entry's `id` in the file. */
  readonly name: string;
  readonly description?: string;
  /** Lower-cased accepted values per logsource key; a key absent here is not set by the entry. */
  readonly logsource: {
    readonly category?: readonly string[];
    readonly product?: readonly string[];
    readonly service?: readonly string[];
  };
  /** All must hold. */
  readonly conditions: readonly Condition[];
  /** Renames valid for events of this source only: Sigma field → event paths. */
  readonly fields: ReadonlyMap<string, readonly string[]>;
  /** Replaces the pipeline's `fieldPrefixes` for this source when set. */
  readonly fieldPrefixes?: readonly string[];
}

export interface Pipeline {
  readonly name: string;
  readonly description: string;
  /** The file (or label) the pipeline was read from, for messages. */
  readonly file: string;
  /** Event paths holding the event time, tried in order; `@timestamp` is always tried last. */
  readonly timeFields: readonly string[];
  /** Where an unrenamed Sigma field is looked up: each prefix + name, then the name itself. */
  readonly fieldPrefixes: readonly string[];
  /** Global renames: Sigma field → event paths. */
  readonly fields: ReadonlyMap<string, readonly string[]>;
  readonly sources: readonly PipelineSource[];
  /**
   * Event paths whose strings keyword searches skip: a verbatim copy of the event
   * (`event.original` in ECS, which Elasticsearch does not index either) would make every
   * keyword scan read the event twice and match text no field holds.
   */
  readonly keywordExclude?: readonly string[];
}

/**
 * Comparable form of a scalar: numbers and integer-looking strings compare numerically
 * (`4688` = `"4688"`), other strings case-insensitively. `undefined` for non-scalars.
 */
export function normalise(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return NUMERIC.test(value) ? String(Number(value)) : value.toLowerCase();
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined;
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      return undefined;
  }
}

const NUMERIC = /^[+-]?\d{1,15}(\.\d{1,6})?$/;

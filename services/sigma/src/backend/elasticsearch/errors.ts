/**
 * What the Elasticsearch backend refuses to translate. A rule the backend cannot express
 * exactly — with the semantics of the streaming engine — is rejected with one of these,
 * never turned into a query that would find something else.
 */

/** Why a rule cannot be searched in Elasticsearch; stable codes, for grouping in reports. */
export type UnsupportedReason =
  | 'fieldref'
  | 'time-modifier'
  | 'cidr-on-text-field'
  | 'compare-on-text-field'
  | 'regex'
  | 'pipeline-condition'
  | 'case-folding'
  | 'too-large'
  | 'no-source';

export class UnsupportedError extends Error {
  constructor(
    readonly reason: UnsupportedReason,
    message: string,
    /** Dotted path inside the rule, e.g. `detection.selection.Image|re`, when known. */
    readonly path?: string,
  ) {
    super(message);
    this.name = 'UnsupportedError';
  }

  /** The same error located at `path` (the innermost location wins). */
  at(path: string): UnsupportedError {
    return this.path ? this : new UnsupportedError(this.reason, this.message, path);
  }
}

export function unsupported(reason: UnsupportedReason, message: string): never {
  throw new UnsupportedError(reason, message);
}

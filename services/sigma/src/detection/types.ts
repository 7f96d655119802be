/**
 * Contracts between the parts of the detection compiler. A rule's detection is compiled
 * once into predicates; nothing of a rule is ever executed as code.
 */

/** Looks up the values of a Sigma field in the current event (after pipeline renames). */
export type FieldGetter = (field: string) => unknown[];
/** Whether a Sigma field exists in the current event. */
export type FieldExists = (field: string) => boolean;

export interface EventView {
  get: FieldGetter;
  exists: FieldExists;
  /** Every string value of the event, for keyword searches. */
  strings(): string[];
}

/** A compiled test of one event. */
export type Predicate = (event: EventView) => boolean;

/** A rule text problem, located for the person who wrote it. */
export class SigmaError extends Error {
  constructor(
    message: string,
    /** Dotted path inside the rule document, e.g. `detection.selection.Image|contains`. */
    readonly path?: string,
  ) {
    super(message);
    this.name = 'SigmaError';
  }
}

/**
 * The engine's view of one event under one source's field mapping. Views of the same event
 * share one cache of field values keyed by the resolved path list: the sources a Sysmon
 * event belongs to mostly resolve a field to the same paths, so each field is read from the
 * event once per event, not once per source. A class (not closures) because one is made per
 * (event, source) on the hottest path.
 */
import type { EventView } from '../detection/types.ts';
import { existsAt, valuesAt } from '../pipeline/index.ts';
import { allStrings, type StringsExclusion } from './access.ts';

/** What the views of one event share; reset for each event. */
export class EventScope {
  constructor(
    /** What keyword searches leave out (the pipeline's `keywordExclude`). */
    readonly exclude?: StringsExclusion,
  ) {}

  event: unknown = undefined;
  readonly values = new Map<readonly string[], unknown[]>();
  strings: string[] | undefined = undefined;

  reset(event: unknown): void {
    this.event = event;
    this.values.clear();
    this.strings = undefined;
  }
}

export class ScopedView implements EventView {
  constructor(
    readonly scope: EventScope,
    /** Sigma field → event paths; must return the same array for the same field. */
    readonly resolve: (field: string) => readonly string[],
  ) {}

  get(field: string): unknown[] {
    const paths = this.resolve(field);
    const values = this.scope.values;
    let v = values.get(paths);
    if (v === undefined) {
      v = valuesAt(this.scope.event, paths);
      values.set(paths, v);
    }
    return v;
  }

  exists(field: string): boolean {
    return existsAt(this.scope.event, this.resolve(field));
  }

  strings(): string[] {
    const scope = this.scope;
    scope.strings ??= allStrings(scope.event, [], scope.exclude);
    return scope.strings;
  }
}

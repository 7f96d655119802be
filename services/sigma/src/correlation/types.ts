/** Contracts of the correlation engine: what goes in, what comes out, what can be tuned. */
import type { SigmaCorrelation, SigmaRule } from '../rule/model.ts';

/**
 * How the caller names an event: the 0-based input position in the CLI, an event id in the
 * detection service. Kept opaque; it only has to survive JSON (snapshots).
 */
export type EventRef = number | string;

/** A group-by value. Non-scalar field values cannot form a group and are ignored. */
export type Scalar = string | number | boolean;

/** A base rule matched an event. */
export interface BaseMatch {
  rule: SigmaRule;
  event: unknown;
  ref: EventRef;
  /** Event time in epoch milliseconds; undefined when the event has no usable time. */
  time: number | undefined;
}

export interface CorrelationMatch {
  correlation: SigmaCorrelation;
  /** group-by field (or alias) → value; value_percentile adds the condition field and its value. */
  group: Record<string, Scalar>;
  /** The events that make the match, oldest first (for a chained correlation, its inner matches' events). */
  events: EventRef[];
  /** Event time of the newest event in the match (not the wall clock). */
  time: number;
  /** The aggregate the condition was tested on (count, distinct count, sum, average, percent, ...). */
  value: number;
}

/** Reads a Sigma field of an event matched by a rule, through the same field mapping detection uses. */
export type FieldReader = (rule: SigmaRule, event: unknown, field: string) => readonly unknown[];

export interface CorrelationLimits {
  /** Groups held at once across all correlations; the least recently updated is evicted beyond it. */
  maxGroups: number;
  /** Events held in one group's window; the oldest is dropped beyond it. */
  maxEventsPerGroup: number;
  /** Event references held across all groups (a chained entry holds all of its inner match's events). */
  maxEvents: number;
  /** Groups one event may count in when group-by fields hold several values (cartesian product). */
  maxGroupsPerEvent: number;
  /**
   * How long (ms of event time) a window waits for late events of other groups before it is
   * closed or expired. 0: as soon as the stream's newest event time passes its end.
   */
  latenessMs: number;
}

export const DEFAULT_LIMITS: CorrelationLimits = {
  maxGroups: 100_000,
  maxEventsPerGroup: 10_000,
  maxEvents: 1_000_000,
  maxGroupsPerEvent: 16,
  latenessMs: 0,
};

/** Counters an operator watches: everything the engine dropped and why. */
export interface CorrelationStats {
  /** Observations that reached at least one correlation. */
  observed: number;
  /** Observations without a usable event time. */
  noTime: number;
  /** Observations lacking a group-by field (they count in no group). */
  noGroup: number;
  /** Observations lacking a usable condition.field value (value_* types). */
  noValue: number;
  /** Observations older than their group's window (out of order by more than the timespan). */
  late: number;
  /** Observations dropped while their group was quiet after firing. */
  suppressed: number;
  /** Groups dropped to stay under maxGroups / maxEvents. */
  evictedGroups: number;
  /** Events dropped from a group beyond maxEventsPerGroup (and with evicted groups). */
  evictedEvents: number;
  /** Groups whose window ended without firing. */
  expiredGroups: number;
  matches: number;
}

export const emptyStats = (): CorrelationStats => ({
  observed: 0,
  noTime: 0,
  noGroup: 0,
  noValue: 0,
  late: 0,
  suppressed: 0,
  evictedGroups: 0,
  evictedEvents: 0,
  expiredGroups: 0,
  matches: 0,
});

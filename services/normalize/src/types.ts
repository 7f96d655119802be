import type { AgentMessage } from '@soc/agent-shared';
import type { EcsDoc } from './doc.ts';

/** What a parser sees: the validated agent message and the context it needs to read times. */
export interface ParseInput {
  msg: AgentMessage;
  /** The raw text (`msg.line`), when the agent shipped text. */
  line?: string;
  /** The structured event (`msg.event`), when the agent shipped JSON. */
  event?: Record<string, unknown>;
  /** When the agent read the event (ms since the epoch): the fallback time and the year of year-less times. */
  observedMs: number;
  /** IANA zone of times written without one (RFC 3164 syslog, web server error logs). */
  timeZone: string;
}

/**
 * One source's normaliser: pure, synchronous, no I/O. It returns the ECS fields it derived;
 * the envelope (agent, host, timestamps, event.original, the writer's duties) is added by
 * `normalize`, the same way for every source.
 */
export interface Parser {
  /** The source id: also the `source` label of the ingest metrics and `event.module` fallback. */
  readonly id: string;
  /** Whether this payload looks like this source, for inputs no configuration names. */
  sniff(input: ParseInput): boolean;
  /** The event's ECS fields. Throws `ParseError` when the payload is not what it should be. */
  parse(input: ParseInput): EcsDoc;
}

/**
 * The payload was not in the source's format: the event is kept raw (message, event.original,
 * `error.message`, tag `_parse_failure`), never dropped.
 */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    message: string,
    /** Fields already derived (e.g. the syslog header when the program's line did not parse). */
    readonly partial?: EcsDoc,
  ) {
    super(message);
  }
}

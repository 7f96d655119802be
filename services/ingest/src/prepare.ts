import type { JsMsg } from '@nats-io/jetstream';
import { type AssetRegistry, type EcsDoc, enrich, type NormalizeOptions, normalize } from '@soc/normalize';
import type { BulkItem } from './bulk.ts';
import type { IngestConfig } from './config.ts';
import { type DeadLetterInput, deadLetterDoc } from './deadletter.ts';
import { deadLetterIndex, eventsIndex } from './layout.ts';
import { retentionDays } from './retention.ts';

const DAY = 86_400_000;

/** A message made ready for a bulk request: its document (or dead letter), index and id. */
export interface Prepared {
  msg: JsMsg;
  item: BulkItem;
  /** Metrics label: the parser, or `deadletter`. */
  source: string;
  /**
   * Set for events: what a dead letter needs if Elasticsearch refuses the document. Not the
   * document itself: a batch waits on Elasticsearch for a while, and holding every document's
   * object tree that long (when `item.source` has it already) costs the garbage collector more
   * than parsing it back on the rare refusal.
   */
  event?: { id: string; agent: string };
  deadReason?: DeadLetterInput['reason'];
}

/**
 * The day an event is indexed under: its own time, unless that is absurd next to when the
 * agent read it (a device clock in 1970, a year typo), then the time it was read. Both come
 * from the message, so a redelivery lands in the same index and the `_id` dedupes it.
 */
export function routeMs(doc: EcsDoc, observedMs: number): number {
  const t = Date.parse(String(doc['@timestamp']));
  if (Number.isNaN(t) || t < observedMs - 366 * DAY || t > observedMs + DAY) return observedMs;
  return t;
}

function streamMs(msg: JsMsg): number {
  return Math.floor(msg.info.timestampNanos / 1e6);
}

export function deadLetterItem(
  input: Omit<DeadLetterInput, 'nowMs'>,
  msg: JsMsg,
  config: IngestConfig,
): BulkItem {
  const { id, doc } = deadLetterDoc({ ...input, nowMs: Date.now() }, config.deadLetterOriginalBytes);
  // Indexed by when the message entered the stream: a redelivery lands in the same index.
  return { index: deadLetterIndex(config.indices.prefix, streamMs(msg)), id, source: JSON.stringify(doc) };
}

export function prepare(
  msg: JsMsg,
  config: IngestConfig,
  registry: AssetRegistry,
  options: NormalizeOptions,
): Prepared {
  // Only dead letters need the stream position: reading it parses the reply subject.
  const base = () => ({
    data: msg.data,
    subject: msg.subject,
    streamSeq: msg.seq,
    deliveries: msg.info.deliveryCount,
  });
  const r = normalize(msg.data, options);
  if (!r.ok) {
    const item = deadLetterItem(
      {
        ...base(),
        reason: r.reason,
        detail: r.detail,
        messageId: r.id ?? msg.headers?.get('Nats-Msg-Id') ?? undefined,
        agent: r.agent,
      },
      msg,
      config,
    );
    return { msg, item, source: 'deadletter', deadReason: r.reason };
  }
  // An agent may publish only on its own subjects; the id inside must be its own too, or it
  // could take another agent's `_id` and have that agent's real event dropped as a duplicate.
  const subjectAgent = msg.subject.split('.')[1];
  const agent = String((r.doc.agent as { id?: string } | undefined)?.id ?? '');
  if (subjectAgent !== undefined && subjectAgent !== agent) {
    const item = deadLetterItem(
      {
        ...base(),
        reason: 'invalid_message',
        detail: `agent "${agent}" does not match the subject ${msg.subject}`,
        messageId: r.id,
        agent,
      },
      msg,
      config,
    );
    return { msg, item, source: 'deadletter', deadReason: 'invalid_message' };
  }
  const asset = enrich(r.doc, registry);
  const days = retentionDays(config.retention, asset?.organization.id, asset?.security_level);
  const index = eventsIndex(config.indices.prefix, days, routeMs(r.doc, r.observedMs));
  return {
    msg,
    item: { index, id: r.id, source: JSON.stringify(r.doc) },
    source: r.source,
    event: { id: r.id, agent },
  };
}

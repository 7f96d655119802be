import type { DeadLetterReason } from '@soc/normalize';

/** Why a message is in the dead letters: normalise's reasons, or Elasticsearch refused its document. */
export type Reason = DeadLetterReason | 'rejected';

export interface DeadLetterInput {
  reason: Reason;
  detail: string;
  data: Uint8Array;
  subject: string;
  streamSeq: number;
  deliveries: number;
  messageId?: string;
  agent?: string;
  source?: string;
  error?: { type: string; reason: string };
  /** The ECS document Elasticsearch refused (kept, not indexed). */
  document?: Record<string, unknown>;
  nowMs: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The dead-letter document: the reason, where the message was in the stream, and the original
 * (as UTF-8 text, or base64 when it is not valid UTF-8; cut at `maxOriginalBytes`). Its `_id`
 * is the message id, or the stream sequence when the message has none, so a redelivered bad
 * message is one dead letter, not one per delivery.
 */
export function deadLetterDoc(
  d: DeadLetterInput,
  maxOriginalBytes: number,
): { id: string; doc: Record<string, unknown> } {
  const cut = d.data.byteLength > maxOriginalBytes;
  const bytes = cut ? d.data.subarray(0, maxOriginalBytes) : d.data;
  let original: string;
  let encoding = 'utf8';
  try {
    original = utf8.decode(bytes);
  } catch {
    original = Buffer.from(bytes).toString('base64');
    encoding = 'base64';
  }
  const doc: Record<string, unknown> = {
    '@timestamp': new Date(d.nowMs).toISOString(),
    reason: d.reason,
    detail: d.detail.slice(0, 2000),
    nats: { subject: d.subject, stream_seq: d.streamSeq, deliveries: d.deliveries },
    original,
    original_encoding: encoding,
    original_bytes: d.data.byteLength,
    original_truncated: cut,
  };
  if (d.messageId) doc.message_id = d.messageId;
  if (d.agent) doc.agent = { id: d.agent };
  if (d.source) doc.source = d.source;
  if (d.error) doc.error = d.error;
  if (d.document) doc.document = d.document;
  return { id: d.messageId ? `dl:${d.messageId}` : `dl:seq:${d.subject.split('.')[0]}:${d.streamSeq}`, doc };
}

import { crc32 } from 'node:zlib';

/**
 * One buffered event on disk: `[u32 bodyLength][u32 crc32(body)][body]`, body =
 * `[u32 headerLength][header JSON][payload]`. The CRC lets recovery find a record torn by a
 * crash or power loss and cut the segment there instead of shipping garbage.
 */
export interface BufferRecord {
  seq: number;
  subject: string;
  input: string;
  /** When the record was appended (ms since epoch): the heartbeat's lag is measured from it. */
  time: number;
  /**
   * The reader's position after this event (e.g. a file's inode and offset). Stored in the same
   * write as the event, so a position is never persisted ahead of, or behind, its events.
   */
  cursor?: { key: string; value: unknown };
  payload: Uint8Array;
}

interface Header {
  s: number;
  j: string;
  i: string;
  t: number;
  c?: [string, unknown];
}

const FRAME = 8;

export function encodeRecord(r: BufferRecord): Buffer {
  const header: Header = { s: r.seq, j: r.subject, i: r.input, t: r.time };
  if (r.cursor) header.c = [r.cursor.key, r.cursor.value];
  const headerBytes = Buffer.from(JSON.stringify(header));
  const bodyLength = 4 + headerBytes.length + r.payload.length;
  const out = Buffer.allocUnsafe(FRAME + bodyLength);
  out.writeUInt32LE(bodyLength, 0);
  out.writeUInt32LE(headerBytes.length, FRAME);
  headerBytes.copy(out, FRAME + 4);
  out.set(r.payload, FRAME + 4 + headerBytes.length);
  out.writeUInt32LE(crc32(out.subarray(FRAME)), 4);
  return out;
}

export type DecodeResult =
  | { kind: 'record'; record: BufferRecord; size: number }
  /** Not enough bytes yet: read more (or, at the end of a segment, a torn tail). */
  | { kind: 'short'; need: number }
  | { kind: 'corrupt'; reason: string };

export function decodeRecord(buf: Buffer, at: number): DecodeResult {
  if (buf.length - at < FRAME) return { kind: 'short', need: FRAME };
  const bodyLength = buf.readUInt32LE(at);
  if (bodyLength < 4) return { kind: 'corrupt', reason: 'bad length' };
  if (buf.length - at < FRAME + bodyLength) return { kind: 'short', need: FRAME + bodyLength };
  const body = buf.subarray(at + FRAME, at + FRAME + bodyLength);
  if (crc32(body) !== buf.readUInt32LE(at + 4)) return { kind: 'corrupt', reason: 'checksum mismatch' };
  const headerLength = body.readUInt32LE(0);
  if (headerLength > bodyLength - 4) return { kind: 'corrupt', reason: 'bad header length' };
  let h: Header;
  try {
    h = JSON.parse(body.subarray(4, 4 + headerLength).toString('utf8')) as Header;
  } catch {
    return { kind: 'corrupt', reason: 'bad header' };
  }
  const record: BufferRecord = {
    seq: h.s,
    subject: h.j,
    input: h.i,
    time: h.t,
    // A copy, so a record outlives the read buffer it came from without pinning it.
    payload: Buffer.from(body.subarray(4 + headerLength)),
  };
  if (h.c) record.cursor = { key: h.c[0], value: h.c[1] };
  return { kind: 'record', record, size: FRAME + bodyLength };
}

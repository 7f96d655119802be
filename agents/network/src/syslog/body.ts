import type { EventBody } from '@soc/agent-shared';

export interface Sender {
  address: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
}

export type Verdict = 'ok' | 'oversize' | 'garbage';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');
// NUL and the C0 controls other than tab, CR and LF never occur in a text syslog message:
// their presence means a binary payload (a scanner, a misconfigured sender).
function isBinary(b: Buffer): boolean {
  for (const c of b) if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
  return false;
}

/**
 * One received syslog message as the agent ships it: raw, since the normaliser parses RFC
 * 3164/5424/CEF/LEEF. What the agent must decide is only whether the bytes are text.
 * `wasOversize` says the receiver already cut the frame (TCP) before handing it here.
 */
export function syslogBody(
  raw: Buffer,
  maxBytes: number,
  sender: Sender,
  wasOversize = false,
): { body: EventBody; verdict: Verdict } {
  let bytes = trimEnd(raw);
  let truncated = wasOversize;
  if (bytes.length > maxBytes) {
    bytes = cutAtCharBoundary(bytes, maxBytes);
    truncated = true;
  }
  const body: EventBody = {
    source: { address: sender.address, port: sender.port, transport: sender.transport },
  };
  let text: string;
  let verdict: Verdict = truncated ? 'oversize' : 'ok';
  try {
    text = utf8.decode(bytes);
    if (isBinary(bytes)) {
      verdict = 'garbage';
      body.parseError = 'binary content (control characters): shipped raw';
    }
  } catch {
    // Never dropped: the readable part survives, the undecodable bytes become U+FFFD.
    text = lossy.decode(bytes);
    verdict = 'garbage';
    body.parseError = 'not valid UTF-8: invalid bytes replaced with U+FFFD';
  }
  body.line = text;
  if (truncated) body.truncated = true;
  return { body, verdict };
}

/** Senders end messages with LF, CRLF or NUL (some appliances); none of it is the message. */
function trimEnd(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x0a || b[end - 1] === 0x0d || b[end - 1] === 0x00)) end--;
  return b.subarray(0, end);
}

/** Cuts at most `max` bytes without splitting a UTF-8 sequence (a cut message is still text). */
export function cutAtCharBoundary(b: Buffer, max: number): Buffer {
  let end = Math.min(max, b.length);
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  if (end < b.length) while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

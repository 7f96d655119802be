/** A frame the TCP receiver hands on: the message bytes and whether they were cut. */
export interface Frame {
  bytes: Buffer;
  oversize: boolean;
}

export class FramingError extends Error {}

// RFC 6587 octet-counting: MSG-LEN is a non-zero digit then digits, then one space.
const MAX_LEN_DIGITS = 10;

/**
 * RFC 6587 framing, decided per frame as rsyslog does: a frame that starts with a digit is
 * octet-counted (`LEN SP MSG`), anything else runs to the next LF (non-transparent framing;
 * a syslog message starts with `<`, never a digit). Memory stays bounded by `maxBytes`: an
 * over-long frame is cut there and the rest discarded up to its end.
 */
export class SyslogFramer {
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes still to skip of an octet-counted frame that was cut. */
  private skipCounted = 0;
  /** Discarding up to the next LF of a newline frame that was cut. */
  private skipToLf = false;

  constructor(private readonly maxBytes: number) {}

  /** The frames complete after this chunk; throws FramingError when the stream is not syslog. */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.skipCounted) {
        const n = Math.min(this.skipCounted, this.buf.length);
        this.skipCounted -= n;
        this.buf = this.buf.subarray(n);
        if (this.skipCounted) break;
        continue;
      }
      if (this.skipToLf) {
        const lf = this.buf.indexOf(0x0a);
        if (lf < 0) {
          this.buf = Buffer.alloc(0);
          break;
        }
        this.buf = this.buf.subarray(lf + 1);
        this.skipToLf = false;
        continue;
      }
      if (!this.buf.length) break;
      const first = this.buf[0]!;
      if (first >= 0x31 && first <= 0x39) {
        if (!this.counted(frames)) break;
      } else if (!this.newline(frames)) break;
    }
    return frames;
  }

  private counted(frames: Frame[]): boolean {
    const sp = this.buf.indexOf(0x20);
    const digits = sp < 0 ? this.buf.length : sp;
    for (let i = 0; i < Math.min(digits, MAX_LEN_DIGITS + 1); i++) {
      const c = this.buf[i]!;
      if (c < 0x30 || c > 0x39) throw new FramingError('octet count is not a number');
    }
    if (digits > MAX_LEN_DIGITS) throw new FramingError('octet count too long');
    if (sp < 0) return false;
    const len = Number(this.buf.subarray(0, sp).toString('latin1'));
    const start = sp + 1;
    if (len <= this.maxBytes) {
      if (this.buf.length < start + len) return false;
      frames.push({ bytes: Buffer.from(this.buf.subarray(start, start + len)), oversize: false });
      this.buf = this.buf.subarray(start + len);
      return true;
    }
    // Too long to keep whole: ship the first maxBytes, skip the rest as it arrives.
    if (this.buf.length < start + this.maxBytes) return false;
    frames.push({ bytes: Buffer.from(this.buf.subarray(start, start + this.maxBytes)), oversize: true });
    this.skipCounted = len - this.maxBytes;
    this.buf = this.buf.subarray(start + this.maxBytes);
    return true;
  }

  private newline(frames: Frame[]): boolean {
    const lf = this.buf.indexOf(0x0a);
    if (lf >= 0 && lf <= this.maxBytes) {
      frames.push({ bytes: Buffer.from(this.buf.subarray(0, lf)), oversize: false });
      this.buf = this.buf.subarray(lf + 1);
      return true;
    }
    if (lf < 0 && this.buf.length <= this.maxBytes) return false;
    frames.push({ bytes: Buffer.from(this.buf.subarray(0, this.maxBytes)), oversize: true });
    this.buf = this.buf.subarray(this.maxBytes);
    this.skipToLf = true;
    return true;
  }

  /** What is left when the sender closes: a last newline frame without its LF is still a message. */
  end(): Frame[] {
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    if (!rest.length || this.skipCounted || this.skipToLf) return [];
    const first = rest[0]!;
    if (first >= 0x31 && first <= 0x39) return []; // an incomplete counted frame: nothing whole to ship
    return [{ bytes: rest, oversize: false }];
  }
}

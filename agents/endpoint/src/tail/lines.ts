/** One complete line: its text (without the newline) and the byte range it occupied. */
export interface Line {
  text: string;
  /** Offset of the line's first byte in the file. */
  start: number;
  /** Offset just past its newline: where reading resumes after it. */
  end: number;
  truncated: boolean;
}

/**
 * Cuts bytes into lines. A line whose newline has not been written yet is held back, so a
 * line written in several pieces is shipped whole; one longer than `maxBytes` is cut there
 * (and flagged) and the rest of it skipped up to its newline, so memory stays bounded.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private held = 0;
  private start: number;
  private overflow = false;
  /** Bytes of an over-long line thrown away; they still count for offsets. */
  private skipped = 0;

  constructor(
    private readonly maxBytes: number,
    /** File offset of the first byte that will be fed. */
    offset: number,
  ) {
    this.start = offset;
  }

  /** Bytes fed but not yet part of a complete line. */
  get pendingBytes(): number {
    return this.held;
  }

  /** Feeds the bytes that follow everything fed so far. */
  *push(chunk: Buffer): Generator<Line> {
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(10, from);
      const stop = nl < 0 ? chunk.length : nl;
      this.hold(chunk.subarray(from, stop));
      if (nl < 0) return;
      yield this.cut(1);
      from = nl + 1;
    }
  }

  /** The held partial line as a line, for a file its writer is done with (rotated, idle). */
  flushPartial(): Line | undefined {
    return this.held || this.overflow ? this.cut(0) : undefined;
  }

  private hold(piece: Buffer): void {
    const room = this.maxBytes - this.held;
    if (piece.length > room) {
      if (room > 0) this.parts.push(Buffer.from(piece.subarray(0, room)));
      this.held += Math.max(room, 0);
      this.overflow = true;
      this.skipped += piece.length - Math.max(room, 0);
      return;
    }
    // Copied: the read buffer is reused for the next chunk.
    this.parts.push(Buffer.from(piece));
    this.held += piece.length;
  }

  private cut(newline: number): Line {
    let buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.held);
    if (buf.length && buf[buf.length - 1] === 13) buf = buf.subarray(0, buf.length - 1);
    const end = this.start + this.held + this.skipped + newline;
    const line: Line = { text: buf.toString('utf8'), start: this.start, end, truncated: this.overflow };
    this.parts = [];
    this.held = 0;
    this.skipped = 0;
    this.overflow = false;
    this.start = end;
    return line;
  }
}

import type { Line } from './lines.ts';

export interface MultilineOptions {
  /** A line matching this starts a new event; any other line continues the current one. */
  start: RegExp;
  maxLines: number;
  maxBytes: number;
}

/**
 * Groups continuation lines (stack traces, wrapped messages) with the line that began them.
 * An event is complete when the next one starts; the caller flushes a group that has waited
 * too long, so the last event of a quiet file is not held for ever.
 */
export class MultilineGrouper {
  private lines: Line[] = [];
  private bytes = 0;
  /** When the current group last grew (ms), for the caller's timeout. */
  lastGrowth = 0;

  constructor(private readonly opts: MultilineOptions) {}

  get pending(): boolean {
    return this.lines.length > 0;
  }

  /** Adds a line; returns the event it completed, if any. */
  push(line: Line, now = Date.now()): Line | undefined {
    let done: Line | undefined;
    const full =
      this.lines.length >= this.opts.maxLines || this.bytes + line.text.length > this.opts.maxBytes;
    if (this.lines.length && (this.opts.start.test(line.text) || full)) done = this.flush();
    this.lines.push(line);
    this.bytes += line.text.length + 1;
    this.lastGrowth = now;
    return done;
  }

  flush(): Line | undefined {
    if (!this.lines.length) return undefined;
    const first = this.lines[0]!;
    const last = this.lines[this.lines.length - 1]!;
    const event: Line = {
      text: this.lines.map((l) => l.text).join('\n'),
      start: first.start,
      end: last.end,
      truncated: this.lines.some((l) => l.truncated),
    };
    this.lines = [];
    this.bytes = 0;
    return event;
  }
}

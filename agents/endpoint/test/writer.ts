import { closeSync, copyFileSync, openSync, renameSync, truncateSync, writeSync } from 'node:fs';

/**
 * A log writer as real programs behave: appends lines (some in two writes, so a reader can
 * see half a line), and rotates the way logrotate does: by rename (the writer keeps writing
 * to the old file for a moment before reopening) or by copytruncate.
 */
export class LogWriter {
  private fd: number;
  private rotations = 0;
  next = 0;

  constructor(
    readonly path: string,
    readonly prefix: string,
  ) {
    this.fd = openSync(path, 'a');
  }

  /** Writes `n` lines; every 7th is written in two pieces with the second left for the next call. */
  write(n: number): void {
    let out = this.pendingTail;
    this.pendingTail = '';
    for (let i = 0; i < n; i++) {
      const line = `${this.prefix} ${this.next++} ${'x'.repeat(40)}\n`;
      if (this.next % 7 === 0 && i === n - 1) {
        out += line.slice(0, 10);
        this.pendingTail = line.slice(10);
      } else out += line;
    }
    if (out) writeSync(this.fd, out);
  }
  private pendingTail = '';

  rotateByRename(linesToOldFile = 5): void {
    renameSync(this.path, `${this.path}.${++this.rotations}`);
    this.write(linesToOldFile);
    this.finishLine();
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
  }

  rotateByCopyTruncate(): void {
    this.finishLine();
    copyFileSync(this.path, `${this.path}.${++this.rotations}`);
    truncateSync(this.path, 0);
  }

  finishLine(): void {
    if (this.pendingTail) writeSync(this.fd, this.pendingTail);
    this.pendingTail = '';
  }

  close(): void {
    this.finishLine();
    closeSync(this.fd);
  }
}

/**
 * What went wrong with a file's line numbers as they arrived, in a form a failed assertion can
 * show: missing and repeated numbers, and where the order first broke. All empty when perfect.
 */
export function deliveryReport(numbers: number[], written: number) {
  const seen = new Map<number, number>();
  for (const n of numbers) seen.set(n, (seen.get(n) ?? 0) + 1);
  const missing: number[] = [];
  for (let i = 0; i < written; i++) if (!seen.has(i)) missing.push(i);
  const repeated = [...seen].filter(([, c]) => c > 1).map(([n]) => n);
  const firstDisorder = numbers.findIndex((n, i) => i > 0 && n < numbers[i - 1]!);
  const around = firstDisorder < 0 ? [] : numbers.slice(Math.max(0, firstDisorder - 3), firstDisorder + 3);
  return {
    received: numbers.length,
    missing: missing.slice(0, 20),
    missingCount: missing.length,
    repeated: repeated.slice(0, 20),
    outOfOrderAt: around,
  };
}

export const PERFECT = (written: number) => ({
  received: written,
  missing: [],
  missingCount: 0,
  repeated: [],
  outOfOrderAt: [],
});

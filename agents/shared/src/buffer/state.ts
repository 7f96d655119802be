import { open, readFile, rename } from 'node:fs/promises';

/**
 * What the buffer persists besides its segments: the highest sequence JetStream acknowledged,
 * the next sequence to assign, and every reader's latest position as of `nextSeq - 1`.
 */
export interface BufferState {
  nextSeq: number;
  ackedSeq: number;
  cursors: Record<string, unknown>;
}

export async function readState(file: string): Promise<BufferState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const s = JSON.parse(text) as Partial<BufferState>;
  if (!Number.isSafeInteger(s.nextSeq) || !Number.isSafeInteger(s.ackedSeq) || typeof s.cursors !== 'object')
    throw new Error(`${file}: not a buffer state file`);
  return s as BufferState;
}

/** Write-then-rename: a crash leaves the old state or the new one, never half of either. */
export async function writeState(file: string, state: BufferState, sync: boolean): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(state));
    if (sync) await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

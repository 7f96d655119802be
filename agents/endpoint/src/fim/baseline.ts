import { createReadStream } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { FileState } from './state.ts';

const fileStateSchema = z.object({
  size: z.number(),
  mode: z.string(),
  uid: z.number(),
  gid: z.number(),
  owner: z.string().optional(),
  group: z.string().optional(),
  mtime: z.string(),
  sha256: z.string().optional(),
  mtimeMs: z.number(),
  ctimeMs: z.number(),
  ino: z.number(),
});

const headerSchema = z.object({
  v: z.literal(1),
  /** The configured paths the baseline covers: files under a path added later are new to it, not created. */
  roots: z.array(z.string()),
});

const entrySchema = z.tuple([z.string(), fileStateSchema]);

export interface Baseline {
  roots: string[];
  files: Map<string, FileState>;
}

/**
 * The baseline saved by the last run, or undefined on the very first one. JSON lines (a
 * header, then `[path, state]` per file), read and written a line at a time: a baseline of
 * 100,000 files never exists as one string.
 */
export async function loadBaseline(file: string): Promise<Baseline | undefined> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    stream.once('open', () => resolve(undefined));
    stream.once('error', (err) => resolve(err));
  });
  if (opened?.code === 'ENOENT') return undefined;
  if (opened) throw opened;
  let b: Baseline | undefined;
  let n = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    n++;
    if (!line) continue;
    if (!b) b = { roots: headerSchema.parse(JSON.parse(line)).roots, files: new Map() };
    else {
      const parsed = entrySchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${file}:${n}: not a baseline entry`);
      b.files.set(parsed.data[0], parsed.data[1] as FileState);
    }
  }
  if (!b) throw new Error(`${file}: empty baseline`);
  return b;
}

/** Write, fsync, rename: a crash leaves the previous baseline or this one, never a torn file. */
export async function saveBaseline(file: string, b: Baseline): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    let chunk = `${JSON.stringify({ v: 1, roots: b.roots })}\n`;
    for (const entry of b.files) {
      chunk += `${JSON.stringify(entry)}\n`;
      if (chunk.length >= 256 * 1024) {
        await fh.write(chunk);
        chunk = '';
      }
    }
    await fh.write(chunk);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

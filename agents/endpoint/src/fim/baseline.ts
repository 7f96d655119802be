import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
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

const baselineSchema = z.object({
  v: z.literal(1),
  /** The configured paths the baseline covers: files under a path added later are new to it, not created. */
  roots: z.array(z.string()),
  files: z.record(z.string(), fileStateSchema),
});

export interface Baseline {
  roots: string[];
  files: Map<string, FileState>;
}

/** The baseline saved by the last run, or undefined on the very first one. */
export async function loadBaseline(file: string): Promise<Baseline | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const b = baselineSchema.parse(JSON.parse(text));
  return { roots: b.roots, files: new Map(Object.entries(b.files) as Array<[string, FileState]>) };
}

/** Write, fsync, rename: a crash leaves the previous baseline or this one, never a torn file. */
export async function saveBaseline(file: string, b: Baseline): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(JSON.stringify({ v: 1, roots: b.roots, files: Object.fromEntries(b.files) }));
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/**
 * How many leading bytes identify a file's content. With the device and inode it tells a file
 * we were reading from a new file that reused the inode, or from the same inode truncated and
 * rewritten between two polls.
 */
export const FINGERPRINT_BYTES = 256;

export interface Fingerprint {
  hash: string;
  /** Bytes hashed: fewer than FINGERPRINT_BYTES while the file is that short. */
  len: number;
}

export async function fingerprint(fh: FileHandle, len: number): Promise<Fingerprint> {
  const want = Math.min(len, FINGERPRINT_BYTES);
  const buf = Buffer.alloc(want);
  const { bytesRead } = await fh.read(buf, 0, want, 0);
  return {
    hash: createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex').slice(0, 32),
    len: bytesRead,
  };
}

/** Whether the file still begins with the bytes `fp` was taken from. */
export async function sameStart(fh: FileHandle, fp: Fingerprint): Promise<boolean> {
  const now = await fingerprint(fh, fp.len);
  return now.len === fp.len && now.hash === fp.hash;
}

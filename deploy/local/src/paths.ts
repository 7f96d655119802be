import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Everything the local stack writes lives under the repository's git-ignored `var/`. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function varDir(...parts: string[]): string {
  const root = process.env.SOC_VAR_DIR ?? join(REPO_ROOT, 'var');
  return join(root, ...parts);
}

export function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

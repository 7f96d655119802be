// Plain Node, no dependencies: this runs before `npm install` has ever happened.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(
    `soc: Node ${process.versions.node} is too old; Node 20.19 or newer is needed (https://nodejs.org).`,
  );
  process.exit(3);
}

/** Installs dependencies when they are missing or older than the lockfile. */
export function ensureInstalled() {
  const lock = join(ROOT, 'package-lock.json');
  const installed = join(ROOT, 'node_modules', '.package-lock.json');
  const fresh =
    existsSync(installed) &&
    existsSync(join(ROOT, 'node_modules', 'tsx')) &&
    (!existsSync(lock) || statSync(installed).mtimeMs >= statSync(lock).mtimeMs);
  if (fresh) return;
  console.log('installing dependencies (npm install)…');
  // Not `npm ci`: it rejects a lockfile that lacks another platform's optional binaries
  // (Biome's), which registries mirrored for one platform do not serve. `npm install`
  // still installs the locked versions.
  const args = ['install', '--no-audit', '--no-fund'];
  const r = spawnSync('npm', args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('soc: npm could not install the dependencies (see above).');
    process.exit(r.status ?? 1);
  }
}

/** Runs a command in the repository, inheriting the terminal; returns its exit code. */
export function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env });
  if (r.error) throw r.error;
  return r.status ?? (r.signal ? 128 : 1);
}

export const SOC = join(ROOT, 'services', 'cli', 'bin', 'soc.js');

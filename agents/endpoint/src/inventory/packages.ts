import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Package {
  name: string;
  version: string;
  arch?: string;
}

/** What each package manager is asked: one tab-separated package per line. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query expands these itself
const DPKG = ['-W', '-f', '${Package}\\t${Version}\\t${Architecture}\\t${db:Status-Abbrev}\\n'];
const RPM = ['-qa', '--qf', '%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\n'];

/** dpkg-query's lines; only installed packages (status `ii`), not removed ones with config left (`rc`). */
export function parseDpkg(text: string): Package[] {
  const out: Package[] = [];
  for (const line of text.split('\n')) {
    const [name, version, arch, status] = line.split('\t');
    if (!name || !version || !status?.startsWith('ii')) continue;
    out.push(arch ? { name, version, arch } : { name, version });
  }
  return out;
}

export function parseRpm(text: string): Package[] {
  const out: Package[] = [];
  for (const line of text.split('\n')) {
    const [name, version, arch] = line.split('\t');
    if (!name || !version || name === 'gpg-pubkey') continue;
    // Packages without an architecture (noarch is written out; `(none)` is rpm's blank).
    out.push(arch && arch !== '(none)' ? { name, version, arch } : { name, version });
  }
  return out;
}

export interface PackageList {
  manager: 'dpkg' | 'rpm';
  packages: Package[];
}

const notFound = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * The installed packages from dpkg, else rpm; `undefined` when neither is on this host.
 * Sorted by name, so consecutive inventories of an unchanged host are identical.
 */
export async function listPackages(): Promise<PackageList | undefined> {
  const opts = { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 };
  for (const [manager, cmd, args, parse] of [
    ['dpkg', 'dpkg-query', DPKG, parseDpkg],
    ['rpm', 'rpm', RPM, parseRpm],
  ] as const) {
    try {
      const { stdout } = await run(cmd, args, opts);
      const packages = parse(stdout).sort(
        (a, b) => a.name.localeCompare(b.name) || a.arch?.localeCompare(b.arch ?? '') || 0,
      );
      return { manager, packages };
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }
  return undefined;
}

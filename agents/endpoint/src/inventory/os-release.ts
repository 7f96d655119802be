import { readFile } from 'node:fs/promises';
import { release } from 'node:os';

export interface OsInfo {
  type: string;
  name?: string;
  version?: string;
  kernel: string;
  family?: string;
}

/** os-release(5): `KEY=value` lines, values optionally quoted with shell-style escapes. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(.*?)\s*$/.exec(raw);
    if (!m) continue;
    let v = m[2]!;
    const q = v[0];
    if ((q === '"' || q === "'") && v.endsWith(q!) && v.length >= 2) {
      v = v.slice(1, -1);
      if (q === '"') v = v.replace(/\\([\\$"`])/g, '$1');
    }
    out[m[1]!] = v;
  }
  return out;
}

/** ECS `host.os.family` names the distribution lineage; the Red Hat one is `redhat` there. */
const FAMILIES: Record<string, string> = { rhel: 'redhat', fedora: 'redhat', centos: 'redhat' };

export function osType(platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin' ? 'macos' : platform === 'win32' ? 'windows' : platform;
}

export function osInfo(fields: Record<string, string>, kernel = release()): OsInfo {
  const lineage = (fields.ID_LIKE ?? fields.ID ?? '').split(/\s+/).filter(Boolean)[0];
  const info: OsInfo = { type: osType(), kernel };
  if (fields.NAME) info.name = fields.NAME;
  if (fields.VERSION_ID) info.version = fields.VERSION_ID;
  if (lineage) info.family = FAMILIES[lineage] ?? lineage;
  return info;
}

/** Reads os-release; a host without one (containers, other systems) still reports type and kernel. */
export async function readOs(file: string): Promise<OsInfo> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return osInfo(parseOsRelease(text));
}

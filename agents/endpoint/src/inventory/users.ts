import { readFile } from 'node:fs/promises';

export interface LocalUser {
  name: string;
  uid: number;
  home?: string;
  shell?: string;
}

/** passwd(5): `name:password:uid:gid:gecos:home:shell`; malformed lines are skipped. */
export function parsePasswd(text: string): LocalUser[] {
  const users: LocalUser[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 7 || !f[0] || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) continue;
    const u: LocalUser = { name: f[0], uid: Number(f[2]) };
    if (f[5]) u.home = f[5];
    if (f[6]) u.shell = f[6];
    users.push(u);
  }
  return users;
}

export async function readUsers(file: string): Promise<LocalUser[]> {
  return parsePasswd(await readFile(file, 'utf8'));
}

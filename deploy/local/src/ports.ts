import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';

/** True when nothing listens on host:port (we could bind it ourselves). */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Best-effort "who holds this port" for error messages; empty when `ss` is unavailable. */
export function describePortOwner(port: number): string {
  try {
    const out = execFileSync('ss', ['-H', '-ltnp', `sport = :${port}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const users = /users:\(\((.+?)\)\)/.exec(out)?.[1];
    return users ? ` (held by ${users.replaceAll('"', '')})` : '';
  } catch {
    return '';
  }
}

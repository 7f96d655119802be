import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isPortFree } from './ports.ts';

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no TCP address'));
      resolve({ server, port: address.port });
    });
  });
}

const close = (server: Server) =>
  new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));

describe('isPortFree', () => {
  it('is false while something listens on the port and true after it closes', async () => {
    const { server, port } = await listen();
    try {
      expect(await isPortFree('127.0.0.1', port)).toBe(false);
    } finally {
      await close(server);
    }
    expect(await isPortFree('127.0.0.1', port)).toBe(true);
  });

  it('releases the port after checking it, so it can be bound again', async () => {
    const { server, port } = await listen();
    await close(server);
    expect(await isPortFree('127.0.0.1', port)).toBe(true);
    expect(await isPortFree('127.0.0.1', port)).toBe(true);
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen({ host: '127.0.0.1', port }, resolve);
    });
    await close(again);
  });
});

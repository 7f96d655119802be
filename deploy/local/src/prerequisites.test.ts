import { mkdtempSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadStackConfig } from './config.ts';
import { elasticsearchUp, ensureDistribution } from './elasticsearch.ts';
import { PrerequisiteError } from './errors.ts';
import { natsUp } from './nats.ts';

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port }),
    );
  });
}

// Each case runs with an empty var/ so nothing looks like an already-running local stack.
const saved = { ...process.env };
beforeEach(() => {
  process.env.SOC_VAR_DIR = mkdtempSync(join(tmpdir(), 'soc-var-'));
  delete process.env.NATS_URL;
  delete process.env.ELASTICSEARCH_URL;
});
afterEach(() => {
  process.env = { ...saved };
});

describe('the local stack refuses clearly when it cannot start', () => {
  it('names the port and the way out when NATS’s port is taken', async () => {
    const { server, port } = await listen();
    try {
      const cfg = { ...loadStackConfig({}), natsPort: port };
      const err = await natsUp(cfg, () => {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PrerequisiteError);
      expect((err as Error).message).toContain(`127.0.0.1:${port} is already in use`);
      expect((err as Error).message).toContain('SOC_STACK__NATS_PORT');
    } finally {
      server.close();
    }
  });

  it('names the port and the way out when Elasticsearch’s port is taken', async () => {
    const { server, port } = await listen();
    try {
      const cfg = { ...loadStackConfig({}), esPort: port };
      const err = await elasticsearchUp(cfg, () => {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PrerequisiteError);
      expect((err as Error).message).toContain(`127.0.0.1:${port} is already in use`);
      expect((err as Error).message).toContain('ELASTICSEARCH_URL');
    } finally {
      server.close();
    }
  });

  it('says how to get Elasticsearch when mvn is missing', () => {
    // A PATH with a shell but no mvn.
    const bin = mkdtempSync(join(tmpdir(), 'soc-bin-'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    process.env.PATH = bin;
    expect(() => ensureDistribution('8.19.21', () => {})).toThrow(PrerequisiteError);
    expect(() => ensureDistribution('8.19.21', () => {})).toThrow(
      /Maven \(mvn\) is not on PATH[\s\S]*ELASTICSEARCH_URL/,
    );
  });

  it('says so when ELASTICSEARCH_URL points at nothing', async () => {
    process.env.ELASTICSEARCH_URL = 'http://127.0.0.1:1';
    const err = await elasticsearchUp(loadStackConfig({}), () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrerequisiteError);
    expect((err as Error).message).toMatch(/does not answer/);
  });
});

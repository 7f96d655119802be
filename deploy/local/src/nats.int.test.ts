import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig, type StackConfig } from './config.ts';
import { natsDown, natsStatus, natsUp } from './nats.ts';

const onPath = spawnSync('nats-server', ['--version']).status === 0;
const why = onPath ? '' : ' [skipped: needs nats-server on PATH (soc stack up installs it)]';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

// Its own var dir and ports: the shared stack's NATS (4222) is never touched.
describe.skipIf(why !== '')(`the local NATS in operator mode, beside an open one${why}`, () => {
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), 'soc-var-'));
  let cfg: StackConfig;
  beforeAll(async () => {
    process.env.SOC_VAR_DIR = dir;
    delete process.env.NATS_URL;
    cfg = {
      ...loadStackConfig({}),
      natsPort: await freePort(),
      natsMonitorPort: await freePort(),
      natsAltPort: await freePort(),
      natsAltMonitorPort: await freePort(),
    };
  });
  afterAll(async () => {
    await natsDown(cfg);
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs open for tests on the first port, and in operator mode on the second beside it', async () => {
    const open = await natsUp({ ...cfg, natsAuth: 'none' }, () => {});
    expect(open).toMatchObject({ started: true, auth: 'none', instance: 'nats' });
    expect(open.credentials).toBeUndefined();
    const anon = await connect({ servers: open.url });
    await anon.close();

    const secure = await natsUp({ ...cfg, natsAuth: 'operator' }, () => {});
    expect(secure).toMatchObject({ started: true, auth: 'operator', instance: 'nats-alt' });
    expect(secure.url).toBe(`nats://127.0.0.1:${cfg.natsAltPort}`);
    const c = secure.credentials!;
    for (const f of [c.authorityFile, c.servicesCreds, c.systemCreds, c.signingKeyFile])
      expect((statSync(f).mode & 0o777).toString(8), f).toBe('600');
    expect((statSync(c.dir).mode & 0o777).toString(8)).toBe('700');

    await expect(connect({ servers: secure.url, timeout: 3000 })).rejects.toThrow(/Authorization Violation/);
    const svc = await connect({
      servers: secure.url,
      authenticator: credsAuthenticator(readFileSync(c.servicesCreds)),
    });
    // The services' user has JetStream in the SOC account.
    expect((await (await jetstreamManager(svc)).getAccountInfo()).limits.max_storage).toBe(-1);
    await svc.close();

    // Asked again, each mode finds its own instance running.
    expect(await natsUp({ ...cfg, natsAuth: 'operator' }, () => {})).toMatchObject({
      started: false,
      instance: 'nats-alt',
      credentials: { account: c.account },
    });
    expect(await natsUp({ ...cfg, natsAuth: 'none' }, () => {})).toMatchObject({
      started: false,
      instance: 'nats',
    });
    const status = await natsStatus(cfg);
    expect(status.map((s) => [s.name, s.answering, s.detail])).toEqual([
      ['nats', true, 'no authorization'],
      ['nats-alt', true, 'operator mode'],
    ]);
    expect(await natsDown(cfg, ['nats-alt'])).toEqual(['nats-alt']);
    expect((await natsStatus(cfg)).map((s) => s.name)).toEqual(['nats']);
  });
});

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { needsStack, stackUrls } from '@soc/test-support';
import { natsServerOnPath } from '@soc/test-support/nats-server';
import { describe, expect, it } from 'vitest';
import { freePort, ownNatsEnv, startSoc } from './soc-start.ts';

const why = needsStack || (natsServerOnPath ? '' : ' [skipped: needs nats-server on PATH]');

// `soc start` with a NATS of its own (no NATS_URL; its own var dir and ports, so the shared
// stack's NATS is not touched), the way `npm start` runs on a fresh machine.
describe.skipIf(!stackUrls || !natsServerOnPath)(`soc start runs NATS with authorization${why}`, () => {
  it('refuses anonymous clients; the services work with their creds; Ctrl-C stops the NATS it started', async () => {
    const apiPort = await freePort();
    const { env, varDir, natsPort } = await ownNatsEnv({
      // Even asked for an open NATS, soc start runs it with authorization.
      SOC_STACK__NATS_AUTH: 'none',
      SOC_DEMO__ENABLED: 'false',
    });
    const { child, output, exited } = await startSoc(apiPort, env);
    const out = output();
    expect(out).toContain('SOC ready');

    const url = `nats://127.0.0.1:${natsPort}`;
    const credsFile = join(varDir, 'nats/auth/services.creds');
    expect(out).toContain(`${url} (credentials: ${credsFile})`);
    expect((statSync(credsFile).mode & 0o777).toString(8)).toBe('600');
    await expect(connect({ servers: url, timeout: 3000 })).rejects.toThrow(/Authorization Violation/);
    const nc = await connect({ servers: url, authenticator: credsAuthenticator(readFileSync(credsFile)) });
    // Ingest created its stream and consumer through its creds.
    const jsm = await jetstreamManager(nc);
    expect((await jsm.consumers.info('TELEMETRY', 'ingest')).name).toBe('ingest');
    await nc.close();

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(connect({ servers: url, timeout: 1000, maxReconnectAttempts: 0 })).rejects.toThrow();
  }, 150_000);
});

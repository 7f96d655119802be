import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { needsStack, stackUrls } from '@soc/test-support';
import { natsServerOnPath } from '@soc/test-support/nats-server';
import { describe, expect, it, onTestFinished } from 'vitest';

const SOC = join(import.meta.dirname, '../../services/cli/bin/soc.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const why = needsStack || (natsServerOnPath ? '' : ' [skipped: needs nats-server on PATH]');

// `soc start` with a NATS of its own (no NATS_URL; its own var dir and ports, so the shared
// stack's NATS is not touched), the way `npm start` runs on a fresh machine.
describe.skipIf(!stackUrls || !natsServerOnPath)(`soc start runs NATS with authorization${why}`, () => {
  it('refuses anonymous clients; the services work with their creds; Ctrl-C stops the NATS it started', async () => {
    const varDir = mkdtempSync(join(tmpdir(), 'soc-start-auth-'));
    onTestFinished(() => rmSync(varDir, { recursive: true, force: true }));
    const [apiPort, natsPort, natsMonitorPort, altPort, altMonitorPort] = await Promise.all(
      Array.from({ length: 5 }, freePort),
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SOC_VAR_DIR: varDir,
      SOC_LOG__LEVEL: 'warn',
      SOC_STACK__NATS_PORT: String(natsPort),
      SOC_STACK__NATS_MONITOR_PORT: String(natsMonitorPort),
      SOC_STACK__NATS_ALT_PORT: String(altPort),
      SOC_STACK__NATS_ALT_MONITOR_PORT: String(altMonitorPort),
      // Even asked for an open NATS, soc start runs it with authorization.
      SOC_STACK__NATS_AUTH: 'none',
      SOC_DEMO__ENABLED: 'false',
      ELASTICSEARCH_URL: stackUrls!.elasticsearchUrl,
    };
    delete env.NATS_URL;
    const child = spawn(process.execPath, [SOC, 'start', '--api-port', String(apiPort)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    for (const s of [child.stdout, child.stderr]) s.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const deadline = Date.now() + 90_000;
    while (!out.includes('SOC ready') && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 200));
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

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ServerType, serve } from '@hono/node-server';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { loadEndpointConfig, startEndpointAgent } from '@soc/agent-endpoint';
import { TELEMETRY_STREAM } from '@soc/agent-shared';
import { createLogger } from '@soc/core';
import {
  createAuthority,
  issueServiceUser,
  publicKeyOfSeed,
  serverAuthConfig,
} from '@soc/core/nats/credentials';
import { ensureStream } from '@soc/core/nats/jetstream';
import { natsServerOnPath, OwnNatsServer } from '@soc/test-support/nats-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { agentCredentialsFrom, enrollmentSchema } from '../../../api/src/resources/agents/credentials.ts';
import { ES_URL, type Harness, ORG_A, startHarness } from '../../../api/test/harness.ts';
import { main } from '../main.ts';

const why = !ES_URL
  ? ' [skipped: needs ELASTICSEARCH_URL (npm test, or soc stack up)]'
  : !natsServerOnPath
    ? ' [skipped: needs nats-server on PATH (soc stack up installs it)]'
    : '';

// The whole chain on real servers: the API (over HTTP) issues, the CLI writes, the agent ships
// through an operator-mode nats-server of the test's own.
describe.skipIf(why !== '')(`soc agent enroll, then the agent ships with what it wrote${why}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'soc-enroll-e2e-'));
  const authority = createAuthority();
  let h: Harness;
  let nats: OwnNatsServer;
  let services: NatsConnection;
  let server: ServerType;
  let api: string;
  beforeAll(async () => {
    writeFileSync(join(dir, 'signing.nk'), authority.accountSigningSeed, { mode: 0o600 });
    const svc = credsAuthenticator(new TextEncoder().encode((await issueServiceUser(authority)).creds));
    nats = await OwnNatsServer.start(dir, {
      auth: await serverAuthConfig(authority),
      probe: { authenticator: svc },
    });
    services = await connect({ servers: nats.url, authenticator: svc });
    await ensureStream(await jetstreamManager(services), TELEMETRY_STREAM);
    h = await startHarness('enrollcli');
    h.deps.agentCredentials = agentCredentialsFrom(
      enrollmentSchema.parse({
        natsAccount: publicKeyOfSeed(authority.accountSeed),
        natsSigningKeyFile: join(dir, 'signing.nk'),
        natsUrls: nats.url,
      }),
      h.deps.logger,
    );
    await new Promise<void>((r) => {
      server = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
        api = `http://127.0.0.1:${info.port}`;
        r();
      });
    });
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await services?.close();
    await nats?.kill();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('enrolls, updates the config, and the agent’s events reach the stream under its new id', async () => {
    const t = (await (
      await h.request('POST', '/agents/enrollment-tokens', {
        token: h.tokens.get('admin')!,
        body: { organization_id: ORG_A },
      })
    ).json()) as { token: string };
    const etc = join(dir, 'etc');
    mkdirSync(etc);
    const log = join(dir, 'app.log');
    writeFileSync(log, 'one\ntwo\nthree\n');
    const file = join(etc, 'endpoint.yaml');
    writeFileSync(
      file,
      [
        'agent:',
        '  id: before-enroll',
        `  dataDir: ${join(dir, 'data')}`,
        'inputs:',
        `  - { name: app, type: file, paths: ["${log}"], startAt: beginning }`,
        '',
      ].join('\n'),
    );
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    let code: number;
    try {
      code = await main(['agent', 'enroll', '--api', api, '--token', t.token, '--config', file]);
    } finally {
      out.mockRestore();
    }
    expect(code).toBe(0);

    // The file as the agent's host reads it: this process's NATS_URL (the shared stack) would override it.
    const saved = process.env.NATS_URL;
    delete process.env.NATS_URL;
    let config: ReturnType<typeof loadEndpointConfig>;
    try {
      config = loadEndpointConfig(file);
    } finally {
      if (saved !== undefined) process.env.NATS_URL = saved;
    }
    expect(config.agent.id).toMatch(/^ag-[0-9a-f]{16}$/);
    expect(config.nats.url).toBe(nats.url);
    expect(config.nats.credsFile).toBe(join(etc, `${config.agent.id}.creds`));
    const agent = await startEndpointAgent(
      config,
      createLogger({ service: 't', level: 'silent', pretty: false }),
    );
    try {
      const count = async () => {
        const info = await (await jetstreamManager(services)).streams.info(TELEMETRY_STREAM.name, {
          subjects_filter: `telemetry.${config.agent.id}.>`,
        });
        return Object.values(info.state.subjects ?? {}).reduce((a, n) => a + n, 0);
      };
      for (let i = 0; i < 100 && (await count()) < 3; i++) await sleep(100);
      expect(await count()).toBe(3);
    } finally {
      await agent.stop();
    }
  });
});

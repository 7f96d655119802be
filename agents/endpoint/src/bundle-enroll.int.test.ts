import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ServerType, serve } from '@hono/node-server';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import {
  createAuthority,
  issueServiceUser,
  publicKeyOfSeed,
  serverAuthConfig,
} from '@soc/core/nats/credentials';
import { exited } from '@soc/test-support/nats-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  agentCredentialsFrom,
  enrollmentSchema,
} from '../../../services/api/src/resources/agents/credentials.ts';
import { ES_URL, type Harness, ORG_A, startHarness } from '../../../services/api/test/harness.ts';
import { countFor, ensureTelemetry } from '../../shared/test/stream.ts';
import { natsServerOnPath, OwnNatsServer } from '../test/processes.ts';

const why = !ES_URL
  ? ' [skipped: needs ELASTICSEARCH_URL (npm test, or soc stack up)]'
  : !natsServerOnPath
    ? ' [skipped: needs nats-server on PATH (soc stack up installs it)]'
    : '';

const agentsDir = join(import.meta.dirname, '../..');

/** Runs a bundle as a host would: plain node, no tsx, nothing of the checkout's environment. */
function run(
  bundle: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  // The shared stack's NATS_URL would override what enrollment wrote in the config.
  delete env.NATS_URL;
  delete env.SOC_NATS__URL;
  delete env.SOC_ENROLL_TOKEN;
  const child = spawn(process.execPath, [bundle, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((r) => child.once('close', (code) => r({ code, stdout, stderr })));
}

// The single-file bundles the systemd units run (build.mjs), enrolling against the real API
// (over HTTP) with an operator-mode nats-server of the test's own: what a host does on install.
describe.skipIf(why !== '')(`the agent bundles enroll themselves${why}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'soc-bundle-enroll-'));
  const authority = createAuthority();
  const endpointBundle = join(dir, 'soc-agent-endpoint.mjs');
  const networkBundle = join(dir, 'soc-agent-network.mjs');
  let h: Harness;
  let nats: OwnNatsServer;
  let services: NatsConnection;
  let server: ServerType;
  let api: string;
  beforeAll(async () => {
    // Built into the test's directory: dist/ belongs to whoever deploys or benchmarks.
    for (const [kind, out] of [
      ['endpoint', endpointBundle],
      ['network', networkBundle],
    ] as const) {
      const b = spawnSync(process.execPath, [join(agentsDir, kind, 'build.mjs'), '--outfile', out], {
        encoding: 'utf8',
      });
      if (b.status !== 0) throw new Error(`building the ${kind} bundle failed: ${b.stderr}`);
    }
    writeFileSync(join(dir, 'signing.nk'), authority.accountSigningSeed, { mode: 0o600 });
    const svc = credsAuthenticator(new TextEncoder().encode((await issueServiceUser(authority)).creds));
    nats = await OwnNatsServer.start(dir, {
      auth: await serverAuthConfig(authority),
      probe: { authenticator: svc },
    });
    services = await connect({ servers: nats.url, authenticator: svc });
    await ensureTelemetry(services);
    h = await startHarness('bundleenroll');
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

  const newToken = async () =>
    (
      (await (
        await h.request('POST', '/agents/enrollment-tokens', {
          token: h.tokens.get('admin')!,
          body: { organization_id: ORG_A },
        })
      ).json()) as { token: string }
    ).token;

  it('endpoint: enroll writes 0600 creds and the config keys (comments kept); the agent then ships with them', async () => {
    const etc = join(dir, 'etc');
    mkdirSync(etc);
    const log = join(dir, 'app.log');
    writeFileSync(log, 'one\ntwo\nthree\n');
    const file = join(etc, 'endpoint.yaml');
    writeFileSync(
      file,
      [
        '# the operator’s note, kept by enroll',
        'agent:',
        '  id: before-enroll',
        `  dataDir: ${join(dir, 'data')}`,
        'heartbeat: { intervalS: 1 }',
        'inputs:',
        '  # tailed from the beginning',
        `  - { name: app, type: file, paths: ["${log}"], startAt: beginning }`,
        '',
      ].join('\n'),
    );
    const r = await run(endpointBundle, [
      'enroll',
      '--api',
      api,
      '--token',
      await newToken(),
      '--config',
      file,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# the operator’s note, kept by enroll');
    expect(text).toContain('# tailed from the beginning');
    const cfg = parse(text) as {
      agent: { id: string; dataDir: string };
      nats: { url: string; credsFile: string };
    };
    expect(cfg.agent.id).toMatch(/^ag-[0-9a-f]{16}$/);
    expect(cfg.agent.dataDir).toBe(join(dir, 'data'));
    expect(cfg.nats.url).toBe(nats.url);
    expect(cfg.nats.credsFile).toBe(join(etc, `${cfg.agent.id}.creds`));
    expect(statSync(cfg.nats.credsFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(cfg.nats.credsFile, 'utf8')).toContain('BEGIN NATS USER JWT');
    expect(r.stdout).toContain(`enrolled as ${cfg.agent.id}`);

    // The same bundle, run as the unit runs it, gets its three lines into the stream under its id.
    const env = { ...process.env };
    delete env.NATS_URL;
    delete env.SOC_NATS__URL;
    const agent: ChildProcess = spawn(process.execPath, [endpointBundle, '--config', file], {
      env,
      stdio: 'ignore',
    });
    try {
      for (let i = 0; i < 150 && (await countFor(services, cfg.agent.id)) < 3; i++) await sleep(100);
      expect(await countFor(services, cfg.agent.id)).toBe(3);
    } finally {
      agent.kill('SIGTERM');
      await exited(agent);
    }
    expect(agent.exitCode).toBe(0);
  });

  it('endpoint: a refused token exits 1 with the API’s problem title, and writes nothing', async () => {
    const etc = join(dir, 'etc-refused');
    mkdirSync(etc);
    const file = join(etc, 'endpoint.yaml');
    const before = `agent:\n  id: before-enroll\n  dataDir: ${join(dir, 'data2')}\ninputs: []\n`;
    writeFileSync(file, before);
    const r = await run(endpointBundle, [
      'enroll',
      '--api',
      api,
      '--token',
      'socenr_not-a-token',
      '--config',
      file,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'soc-agent-endpoint enroll: Authentication required (HTTP 401): the enrollment token is invalid, used up or expired',
    );
    expect(r.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(existsSync(join(etc, 'before-enroll.creds'))).toBe(false);
  });

  it('network: enroll --creds FILE without --config writes that file and prints the keys to add', async () => {
    const creds = join(dir, 'etc-network', 'agent-network.creds');
    const r = await run(networkBundle, [
      'enroll',
      '--api',
      api,
      '--token',
      await newToken(),
      '--creds',
      creds,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statSync(creds).mode & 0o777).toBe(0o600);
    // A directory enrollment creates holds the secret: only its owner may list it.
    expect(statSync(join(dir, 'etc-network')).mode & 0o777).toBe(0o700);
    const snippet = parse(r.stdout.slice(r.stdout.indexOf('agent:'))) as {
      agent: { id: string };
      nats: { url: string; credsFile: string };
    };
    expect(snippet.agent.id).toMatch(/^ag-[0-9a-f]{16}$/);
    expect(snippet.nats).toEqual({ url: nats.url, credsFile: creds });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { TELEMETRY_STREAM } from '@soc/agent-shared';
import {
  createAuthority,
  issueServiceUser,
  issueSystemUser,
  publicKeyOfSeed,
  readAuthorityFile,
  saveAuthorityFile,
  serverAuthConfig,
} from '@soc/core/nats/credentials';
import { ensureStream } from '@soc/core/nats/jetstream';
import { natsServerOnPath, OwnNatsServer } from '@soc/test-support/nats-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ES_URL, type Harness, ORG_A, skipReason, startHarness } from '../../../test/harness.ts';
import { agentCredentialsFrom, enrollmentSchema } from './credentials.ts';

const why =
  skipReason || (natsServerOnPath ? '' : ' (skipped: needs nats-server on PATH — soc stack up installs it)');

interface Enrolled {
  agent_id: string;
  nats: { creds?: string; urls: string[]; inbox_prefix: string; permissions: { publish: string[] } };
}

// An operator-mode nats-server of the test's own, with the keys the API is given as the
// local stack gives them (files), so the creds enroll returns are tried for real.
describe.skipIf(!ES_URL || !natsServerOnPath)(`enrollment issues NATS credentials that work${why}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'soc-enroll-'));
  const authority = createAuthority();
  const authorityFile = join(dir, 'authority.json');
  let h: Harness;
  let nats: OwnNatsServer;
  let services: NatsConnection;
  const open: NatsConnection[] = [];
  const auth = (creds: string) => credsAuthenticator(new TextEncoder().encode(creds));

  beforeAll(async () => {
    saveAuthorityFile(authorityFile, authority);
    writeFileSync(join(dir, 'signing.nk'), `${authority.accountSigningSeed}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'system.creds'), (await issueSystemUser(authority)).creds, { mode: 0o600 });
    const svc = await issueServiceUser(authority);
    nats = await OwnNatsServer.start(dir, {
      auth: await serverAuthConfig(authority),
      probe: { authenticator: auth(svc.creds) },
    });
    services = await connect({ servers: nats.url, authenticator: auth(svc.creds) });
    await ensureStream(await jetstreamManager(services), TELEMETRY_STREAM);
    h = await startHarness('enroll');
    h.deps.agentCredentials = agentCredentialsFrom(
      enrollmentSchema.parse({
        natsAccount: publicKeyOfSeed(authority.accountSeed),
        natsSigningKeyFile: join(dir, 'signing.nk'),
        natsUrls: nats.url,
        natsAuthorityFile: authorityFile,
        natsSystemCredsFile: join(dir, 'system.creds'),
      }),
      h.deps.logger,
    );
  });
  afterAll(async () => {
    for (const nc of [...open, services]) await nc?.close().catch(() => undefined);
    await nats?.kill();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const enroll = async (hostname: string) => {
    const t = (await (
      await h.request('POST', '/agents/enrollment-tokens', {
        token: h.tokens.get('admin')!,
        body: { organization_id: ORG_A },
      })
    ).json()) as { token: string };
    const res = await h.request('POST', '/agents/enroll', { body: { token: t.token, hostname } });
    expect(res.status).toBe(201);
    return (await res.json()) as Enrolled;
  };
  const connectAs = async (e: Enrolled) => {
    const nc = await connect({
      servers: e.nats.urls,
      authenticator: auth(e.nats.creds!),
      inboxPrefix: e.nats.inbox_prefix,
      maxReconnectAttempts: 0,
      timeout: 3000,
    });
    open.push(nc);
    return nc;
  };

  it('returns creds and URLs with which the agent publishes its own telemetry (acked), and only that', async () => {
    const e = await enroll('web.org-a');
    expect(e.nats.urls).toEqual([nats.url]);
    expect(e.nats.creds).toMatch(/-----BEGIN NATS USER JWT-----/);
    const nc = await connectAs(e);
    const ack = await jetstream(nc).publish(`telemetry.${e.agent_id}.app`, 'hello', {
      msgID: `${e.agent_id}:1`,
    });
    expect(ack.stream).toBe(TELEMETRY_STREAM.name);
    await expect(
      jetstream(nc).publish('telemetry.someone-else.app', 'forged', { timeout: 2000 }),
    ).rejects.toThrow(/Permissions Violation/);
    // The public key is kept for revocation but is no business of the agent list.
    const view = await (
      await h.request('GET', `/agents/${e.agent_id}`, { token: h.tokens.get('admin')! })
    ).json();
    expect(view).not.toHaveProperty('nats_user');
  });

  it('revoking the agent in the API revokes its NATS user: disconnected, refused, and remembered', async () => {
    const e = await enroll('old.org-a');
    const nc = await connectAs(e);
    const closed = nc.closed();
    const res = await h.request('POST', `/agents/${e.agent_id}/revoke`, { token: h.tokens.get('admin')! });
    expect(res.status).toBe(200);
    await Promise.race([closed, sleep(5000).then(() => Promise.reject(new Error('not disconnected')))]);
    await expect(connectAs(e)).rejects.toThrow(/Authorization Violation/);
    // Written back for the next server start (the stack preloads it into the config).
    expect(Object.keys(readAuthorityFile(authorityFile).revocations)).toHaveLength(1);
  });

  it('revokes at once all take effect: no push of a shorter list lands after a longer one', async () => {
    const agents = await Promise.all(['a', 'b', 'c'].map((n) => enroll(`${n}.org-a`)));
    const before = Object.keys(readAuthorityFile(authorityFile).revocations).length;
    const codes = await Promise.all(
      agents.map(
        async (e) =>
          (await h.request('POST', `/agents/${e.agent_id}/revoke`, { token: h.tokens.get('admin')! })).status,
      ),
    );
    expect(codes).toEqual([200, 200, 200]);
    expect(Object.keys(readAuthorityFile(authorityFile).revocations)).toHaveLength(before + 3);
    for (const e of agents) await expect(connectAs(e)).rejects.toThrow(/Authorization Violation/);
  });

  it('a bad token gets a problem, and no credentials', async () => {
    const res = await h.request('POST', '/agents/enroll', { body: { token: 'socenr_nope', hostname: 'x' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ title: 'Authentication required' });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import {
  agentBaseSchema,
  heartbeatSubject,
  inboxPrefix,
  issueAgentCredentials,
  startRuntime,
} from '@soc/agent-shared';
import {
  createAuthority,
  issueServiceUser,
  issueSystemUser,
  type NatsAuthority,
  publicKeyOfSeed,
  pushAccountJwt,
  serverAuthConfig,
  withRevocation,
} from '@soc/core/nats/credentials';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countFor, ensureTelemetry } from '../../shared/test/stream.ts';
import { natsServerOnPath, OwnNatsServer } from '../test/processes.ts';

// A nats-server of its own in operator mode (the stack's own scheme), so the shared one is
// never restarted or reconfigured.
const why = natsServerOnPath ? '' : ' [skipped: needs nats-server on PATH (soc stack up installs it)]';

const auth = (creds: string) => credsAuthenticator(new TextEncoder().encode(creds));

describe.skipIf(why !== '')(`agent credentials (operator-mode JWTs): only its own subjects${why}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'soc-perm-'));
  const authority: NatsAuthority = createAuthority();
  const issuer = {
    account: publicKeyOfSeed(authority.accountSeed),
    signingSeed: authority.accountSigningSeed,
  };
  let nats: OwnNatsServer;
  let services: NatsConnection;
  const open: NatsConnection[] = [];
  beforeAll(async () => {
    const svc = await issueServiceUser(authority);
    nats = await OwnNatsServer.start(dir, {
      auth: await serverAuthConfig(authority),
      probe: { authenticator: auth(svc.creds) },
    });
    services = await connect({ servers: nats.url, authenticator: auth(svc.creds) });
    await ensureTelemetry(services);
  });
  afterAll(async () => {
    for (const nc of [...open, services]) await nc?.close().catch(() => undefined);
    await nats?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const connectAs = async (creds: string, agentId: string) => {
    const nc = await connect({
      servers: nats.url,
      authenticator: auth(creds),
      inboxPrefix: inboxPrefix(agentId),
      maxReconnectAttempts: 0,
      timeout: 3000,
    });
    open.push(nc);
    return nc;
  };

  it('refuses anonymous clients', async () => {
    await expect(connect({ servers: nats.url, timeout: 3000 })).rejects.toThrow(/Authorization Violation/);
  });

  it('an agent with issued creds (a 0600 file, as enroll writes it) ships everything with JetStream acks and beats', async () => {
    const creds = await issueAgentCredentials(issuer, 'ag-web01');
    const credsFile = join(dir, 'ag-web01.creds');
    writeFileSync(credsFile, creds.creds, { mode: 0o600 });
    const beats: unknown[] = [];
    services.subscribe(heartbeatSubject('ag-web01'), { callback: (_e, m) => void beats.push(m.json()) });

    const config = agentBaseSchema.parse({
      agent: { id: 'ag-web01', dataDir: join(dir, 'data') },
      nats: { url: nats.url, credsFile },
      heartbeat: { intervalS: 0.2 },
    });
    const rt = await startRuntime(config, {
      version: 't',
      logger: pino({ level: 'silent' }),
      inputs: () => ['app'],
    });
    for (let i = 0; i < 200; i++) await rt.output.write('app', { line: `l${i}` });
    const deadline = Date.now() + 10_000;
    while ((await countFor(services, 'ag-web01')) < 200 && Date.now() < deadline) await sleep(100);
    expect(await countFor(services, 'ag-web01')).toBe(200);
    await sleep(300);
    expect(beats.length).toBeGreaterThan(0);
    await rt.close();

    // The acknowledgement itself, with the stream's sequence: the inbox permission suffices.
    const nc = await connectAs(creds.creds, 'ag-web01');
    const ack = await jetstream(nc).publish('telemetry.ag-web01.app', 'one more', { msgID: 'ag-web01:x' });
    expect(ack.stream).toBe('TELEMETRY');
    expect(ack.seq).toBeGreaterThan(200);
  });

  it('refuses the same creds on another agent’s subject, the JetStream API and others’ inboxes', async () => {
    const creds = await issueAgentCredentials(issuer, 'ag-web01');
    const rogue = await connectAs(creds.creds, 'ag-web01');
    await expect(
      jetstream(rogue).publish('telemetry.ag-web02.app', 'forged', { msgID: 'ag-web02:1', timeout: 2000 }),
    ).rejects.toThrow(/Permissions Violation for Publish to "telemetry.ag-web02.app"/);
    expect(await countFor(services, 'ag-web02')).toBe(0);

    const errors: string[] = [];
    void (async () => {
      for await (const s of rogue.status()) if (s.type === 'error') errors.push(String(s.error));
    })();
    // Deleting a stream, or reading another agent's acks, needs permissions it does not have.
    await expect(rogue.request('$JS.API.STREAM.DELETE.TELEMETRY', '', { timeout: 1500 })).rejects.toThrow();
    rogue.subscribe('_INBOX_ag-web02.>');
    await rogue.flush();
    await sleep(200);
    expect(errors.join('\n')).toMatch(
      /Permissions Violation for Publish to "\$JS\.API\.STREAM\.DELETE\.TELEMETRY"/,
    );
    expect(errors.join('\n')).toMatch(/Permissions Violation for Subscription to "_INBOX_ag-web02\.>"/);
    expect((await (await jetstreamManager(services)).streams.info('TELEMETRY')).config.name).toBe(
      'TELEMETRY',
    );
  });

  it('a revoked agent is disconnected and can no longer connect; other agents carry on', async () => {
    const revoked = await issueAgentCredentials(issuer, 'ag-gone');
    const kept = await issueAgentCredentials(issuer, 'ag-kept');
    const gone = await connectAs(revoked.creds, 'ag-gone');
    const stays = await connectAs(kept.creds, 'ag-kept');
    const closed = gone.closed();

    const sys = await connect({
      servers: nats.url,
      authenticator: auth((await issueSystemUser(authority)).creds),
    });
    open.push(sys);
    await pushAccountJwt(sys, withRevocation(authority, revoked.publicKey));

    await Promise.race([closed, sleep(5000).then(() => Promise.reject(new Error('not disconnected')))]);
    expect(gone.isClosed()).toBe(true);
    await expect(connectAs(revoked.creds, 'ag-gone')).rejects.toThrow(/Authorization Violation/);
    const ack = await jetstream(stays).publish('telemetry.ag-kept.app', 'still here');
    expect(ack.stream).toBe('TELEMETRY');
  });
});

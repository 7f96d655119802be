import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  agentBaseSchema,
  agentPermissions,
  heartbeatSubject,
  inboxPrefix,
  startRuntime,
} from '@soc/agent-shared';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { countFor, ensureTelemetry } from '../../shared/test/stream.ts';
import { natsServerOnPath, OwnNatsServer } from '../test/processes.ts';

const why = !process.env.NATS_URL
  ? ' [skipped: needs NATS_URL (npm test, or soc stack up)]'
  : !natsServerOnPath
    ? ' [skipped: needs nats-server on PATH (soc stack up installs it)]'
    : '';

/** nats-server's syntax for one user's permissions, from the scheme in agentPermissions(). */
function natsUser(agentId: string, password: string): string {
  const p = agentPermissions(agentId);
  const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  return `{ user: ${agentId}, password: ${password}, permissions: { publish: ${list(p.publish)}, subscribe: ${list(p.subscribe)} } }`;
}

describe.skipIf(why !== '')(`agent credentials: only its own subjects${why}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'soc-perm-'));
  let nats: OwnNatsServer | undefined;
  let admin: NatsConnection | undefined;
  afterAll(async () => {
    await admin?.close();
    await nats?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an agent whose NATS user may publish only telemetry.<id>.> and agent.<id>.> ships everything; another agent’s subject is refused', async () => {
    nats = await OwnNatsServer.start(dir, {
      authorization: `{ users: [ { user: admin, password: admin }, ${natsUser('web-01', 's3cret')} ] }`,
      probe: { user: 'admin', pass: 'admin' },
    });
    admin = await connect({ servers: nats.url, user: 'admin', pass: 'admin' });
    await ensureTelemetry(admin);
    const beats: unknown[] = [];
    admin.subscribe(heartbeatSubject('web-01'), { callback: (_e, m) => void beats.push(m.json()) });

    const config = agentBaseSchema.parse({
      agent: { id: 'web-01', dataDir: join(dir, 'data') },
      nats: { url: nats.url, user: 'web-01', password: 's3cret' },
      heartbeat: { intervalS: 0.2 },
    });
    const rt = await startRuntime(config, {
      version: 't',
      logger: pino({ level: 'silent' }),
      inputs: () => ['app'],
    });
    for (let i = 0; i < 200; i++) await rt.output.write('app', { line: `l${i}` });
    const deadline = Date.now() + 10_000;
    while ((await countFor(admin, 'web-01')) < 200 && Date.now() < deadline) await sleep(100);
    expect(await countFor(admin, 'web-01')).toBe(200);
    await sleep(300);
    expect(beats.length).toBeGreaterThan(0);
    await rt.close();

    // The same credentials, used to publish as another agent: the server says no.
    const rogue = await connect({
      servers: nats.url,
      user: 'web-01',
      pass: 's3cret',
      inboxPrefix: inboxPrefix('web-01'),
    });
    await expect(
      jetstream(rogue).publish('telemetry.web-02.app', 'forged', { msgID: 'web-02:1', timeout: 2000 }),
    ).rejects.toThrow(/[Pp]ermission/);
    await rogue.close().catch(() => undefined);
    expect(await countFor(admin, 'web-02')).toBe(0);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { HeartbeatBody } from '@soc/agent-shared';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followHeartbeats } from '../../../services/api/src/resources/agents/heartbeats.ts';
import { ES_URL, type Harness, ORG_A, startHarness } from '../../../services/api/test/harness.ts';
import { startEndpointAgent } from './agent.ts';
import { endpointConfigSchema } from './config.ts';

const natsUrl = process.env.NATS_URL;
const why = !natsUrl
  ? ' [skipped: needs NATS_URL (npm test, or soc stack up)]'
  : !ES_URL
    ? ' [skipped: needs ELASTICSEARCH_URL (npm test, or soc stack up)]'
    : '';

interface AgentView {
  status: string;
  version?: string;
  last_heartbeat?: HeartbeatBody;
}

// The whole way a disabled input's state takes: the agent's heartbeat on the real NATS, the
// API's heartbeat follower, Elasticsearch, and GET /agents/{id} as an analyst reads it.
describe.skipIf(why !== '')(`a disabled input in the agent's status${why}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'soc-hbstate-'));
  let h: Harness;
  let nc: NatsConnection;
  let follower: ReturnType<typeof followHeartbeats>;
  beforeAll(async () => {
    h = await startHarness('hbstate');
    nc = await connect({ servers: natsUrl! });
    follower = followHeartbeats(nc, h.es, h.deps.indices.agents, h.deps.logger, { minWriteMs: 0 });
  });
  afterAll(async () => {
    follower?.stop();
    await nc?.drain();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('journald without journalctl shows as disabled, with the reason, next to a running file input', async () => {
    const admin = h.tokens.get('admin')!;
    const { token } = (await (
      await h.request('POST', '/agents/enrollment-tokens', { token: admin, body: { organization_id: ORG_A } })
    ).json()) as { token: string };
    const enrolled = await h.request('POST', '/agents/enroll', { body: { token, hostname: 'hb.org-a' } });
    expect(enrolled.status).toBe(201);
    const { agent_id: id } = (await enrolled.json()) as { agent_id: string };
    const log = join(dir, 'app.log');
    writeFileSync(log, 'one\n');
    const journalctl = join(dir, 'no-journalctl');
    const agent = await startEndpointAgent(
      endpointConfigSchema.parse({
        agent: { id, dataDir: join(dir, 'data') },
        nats: { url: natsUrl },
        heartbeat: { intervalS: 0.2 },
        inputs: [
          { name: 'app', type: 'file', paths: [log], startAt: 'beginning' },
          { name: 'journal', type: 'journald', journalctl },
        ],
      }),
      pino({ level: 'silent' }),
    );
    const view = async () =>
      (await (await h.request('GET', `/agents/${id}`, { token: admin })).json()) as AgentView;
    let v: AgentView = await view();
    try {
      for (let i = 0; i < 100 && v.last_heartbeat?.inputs.journal?.state !== 'disabled'; i++) {
        await sleep(100);
        v = await view();
      }
    } finally {
      await agent.stop();
    }
    expect(v.status).toBe('online');
    expect(v.last_heartbeat?.inputs.journal).toMatchObject({
      state: 'disabled',
      reason: `${journalctl} cannot be run (not installed, or not on PATH)`,
      read: 0,
    });
    expect(v.last_heartbeat?.inputs.app?.state).toBe('running');
    expect(v.last_heartbeat?.inputs.app).not.toHaveProperty('reason');

    // The same input running after a restart (journald installed since): the last beat is
    // what the API shows, not a merge with the one before (no stale reason, no gone input).
    const { reason: _gone, ...journal } = v.last_heartbeat!.inputs.journal!;
    const running: HeartbeatBody = {
      ...v.last_heartbeat!,
      time: new Date().toISOString(),
      inputs: { journal: { ...journal, state: 'running' } },
    };
    nc.publish(`agent.${id}.heartbeat`, JSON.stringify(running));
    await nc.flush();
    for (let i = 0; i < 100 && v.last_heartbeat?.inputs.journal?.state !== 'running'; i++) {
      await sleep(100);
      v = await view();
    }
    expect(v.last_heartbeat?.inputs.journal?.state).toBe('running');
    expect(v.last_heartbeat?.inputs.journal).not.toHaveProperty('reason');
    expect(Object.keys(v.last_heartbeat?.inputs ?? {})).toEqual(['journal']);

    // A beat the API cannot read (a state it does not know) is ignored. Seen through the
    // agent's `version`, which a beat sets and a beat without one leaves: the bad beat's
    // stays only if it was stored; a good beat after it is the sign both were handled
    // (one subscriber, in order).
    const versionBefore = v.version;
    nc.publish(
      `agent.${id}.heartbeat`,
      JSON.stringify({
        ...running,
        version: '6.6.6',
        inputs: { journal: { ...journal, state: 'sleeping' } },
      }),
    );
    const { version: _v, ...unversioned } = running;
    nc.publish(`agent.${id}.heartbeat`, JSON.stringify({ ...unversioned, time: 'after-the-bad-one' }));
    await nc.flush();
    for (let i = 0; i < 100 && v.last_heartbeat?.time !== 'after-the-bad-one'; i++) {
      await sleep(100);
      v = await view();
    }
    expect(v.last_heartbeat?.time).toBe('after-the-bad-one');
    expect(v.version).toBe(versionBefore);
    expect(v.version).toBe('0.1.0');
  });
});

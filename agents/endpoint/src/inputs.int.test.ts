import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { AgentMessage } from '@soc/agent-shared';
import { get, normalizeMessage } from '@soc/normalize';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countFor, ensureTelemetry, readAgent } from '../../shared/test/stream.ts';
import { appendJournal, journalSkipReason } from '../test/journal.ts';
import { AgentProcess } from '../test/processes.ts';
import { type EndpointAgent, startEndpointAgent } from './agent.ts';
import { endpointConfigSchema } from './config.ts';
import type { FimInput } from './fim/fim-input.ts';
import type { InventoryEvent } from './inventory/collect.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const natsUrl = process.env.NATS_URL;
const skip = natsUrl ? '' : ' [skipped: needs NATS_URL (npm test, or soc stack up)]';

/** The agent's messages on the stream once there are at least `n` (or the deadline passed). */
async function messages(
  nc: NatsConnection,
  agentId: string,
  n: number,
  ms = 20_000,
): Promise<AgentMessage[]> {
  const deadline = Date.now() + ms;
  while ((await countFor(nc, agentId)) < n && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  return (await readAgent(nc, agentId)).map((g) => g.msg);
}

const ecsOf = (m: AgentMessage) => normalizeMessage(m, { now: () => new Date() });

describe.skipIf(!natsUrl)(`endpoint agent: FIM, inventory and journald into JetStream${skip}`, () => {
  let nc: NatsConnection;
  const dir = mkdtempSync(join(tmpdir(), 'soc-epin-'));
  const unique = `${process.pid}-${Date.now().toString(36)}`;
  beforeAll(async () => {
    nc = await connect({ servers: natsUrl! });
    await ensureTelemetry(nc);
  });
  afterAll(async () => {
    await nc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (agentId: string, data: string, inputs: unknown[]): Promise<EndpointAgent> =>
    startEndpointAgent(
      endpointConfigSchema.parse({ agent: { id: agentId, dataDir: data }, nats: { url: natsUrl }, inputs }),
      pino({ level: 'silent' }),
    );

  it('FIM: real changes become events in the stream, also those made while the agent was stopped', async () => {
    const agentId = `fim-${unique}`;
    const watched = join(dir, 'fim', 'watched');
    const data = join(dir, 'fim', 'data');
    mkdirSync(join(watched, 'conf.d'), { recursive: true });
    writeFileSync(join(watched, 'app.conf'), 'listen 80\n');
    writeFileSync(join(watched, 'conf.d', 'site.conf'), 'root /var/www\n');
    writeFileSync(join(watched, 'old.conf'), 'legacy\n');
    writeFileSync(join(watched, 'ignored.swp'), 'x');
    const inputs = [
      {
        name: 'fim',
        type: 'fim',
        paths: [watched],
        exclude: [join(watched, '**/*.swp')],
        settleMs: 100,
        scanIntervalS: 3600,
      },
    ];
    let agent = await start(agentId, data, inputs);
    await (agent.inputs[0] as FimInput).ready;

    writeFileSync(join(watched, 'app.conf'), 'listen 8080\n');
    writeFileSync(join(watched, 'conf.d', 'new.conf'), 'new\n');
    chmodSync(join(watched, 'conf.d', 'site.conf'), 0o600);
    unlinkSync(join(watched, 'old.conf'));
    writeFileSync(join(watched, 'ignored.swp'), 'changed');
    let got = await messages(nc, agentId, 4);
    await agent.stop();
    const live = got.map((m) => `${m.event?.action} ${String(m.event?.path).slice(watched.length)}`).sort();
    expect(live).toEqual([
      'created /conf.d/new.conf',
      'deleted /old.conf',
      'modified /app.conf',
      'permissions /conf.d/site.conf',
    ]);

    // While the agent is down.
    writeFileSync(join(watched, 'conf.d', 'new.conf'), 'edited while away\n');
    writeFileSync(join(watched, 'backdoor.conf'), 'x\n');
    unlinkSync(join(watched, 'conf.d', 'site.conf'));
    agent = await start(agentId, data, inputs);
    await (agent.inputs[0] as FimInput).ready;
    got = await messages(nc, agentId, 7);
    await agent.stop();
    const after = got
      .slice(4)
      .map((m) => `${m.event?.action} ${String(m.event?.path).slice(watched.length)}`);
    expect(after.sort()).toEqual([
      'created /backdoor.conf',
      'deleted /conf.d/site.conf',
      'modified /conf.d/new.conf',
    ]);
    expect(got).toHaveLength(7);

    // As the ingest will index them.
    const modified = got.find((m) => m.event?.action === 'modified')!;
    const r = ecsOf(modified);
    expect(r.source).toBe('fim');
    expect(get(r.doc, 'event.category')).toEqual(['file']);
    expect(get(r.doc, 'event.type')).toEqual(['change']);
    expect(get(r.doc, 'file.path')).toBe(join(watched, 'app.conf'));
    expect(get(r.doc, 'file.name')).toBe('app.conf');
    expect(get(r.doc, 'file.size')).toBe(12);
    expect(get(r.doc, 'file.hash.sha256')).toMatch(/^[0-9a-f]{64}$/);
    expect(get(r.doc, 'fim.previous.size')).toBe(10);
    expect(get(r.doc, 'file.owner')).toBeTruthy();
    expect(get(r.doc, 'host.os.type')).toBe('linux');
    const perms = ecsOf(got.find((m) => m.event?.action === 'permissions')!).doc;
    expect(get(perms, 'event.action')).toBe('attributes_modified');
    expect(get(perms, 'file.mode')).toBe('0600');
    expect(get(perms, 'fim.previous.mode')).toBe('0644');
    expect(get(ecsOf(got.find((m) => m.event?.action === 'deleted')!).doc, 'event.type')).toEqual([
      'deletion',
    ]);
    expect(get(ecsOf(got.find((m) => m.event?.action === 'created')!).doc, 'event.type')).toEqual([
      'creation',
    ]);
  });

  describe('FIM, agent killed -9', () => {
    let agent: AgentProcess | undefined;
    afterAll(async () => {
      await agent?.kill9();
    });

    it('a change whose event was shipped just before a kill -9 is reported again at worst, never lost', async () => {
      const agentId = `fimkill-${unique}`;
      const watched = join(dir, 'fim-kill', 'watched');
      mkdirSync(watched, { recursive: true });
      writeFileSync(join(watched, 'a.conf'), 'a\n');
      const configFile = join(dir, 'fim-kill.yaml');
      writeFileSync(
        configFile,
        [
          `agent: { id: ${agentId}, dataDir: ${join(dir, 'fim-kill', 'data')} }`,
          `nats: { url: "${natsUrl}" }`,
          'inputs:',
          `  - { name: fim, type: fim, paths: ["${watched}"], settleMs: 50 }`,
          '',
        ].join('\n'),
      );
      const logFile = join(dir, 'fim-kill.log');
      const scanned = async (times: number) => {
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          const text = readFileSync(logFile, 'utf8');
          if ((text.match(/FIM scan done/g) ?? []).length >= times) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error('the agent did not finish its first FIM scan');
      };
      agent = new AgentProcess(ROOT, configFile, openSync(logFile, 'a'));
      agent.start();
      await scanned(1);
      writeFileSync(join(watched, 'a.conf'), 'a, changed\n');
      await messages(nc, agentId, 1);
      // At once: the baseline is saved a second after a change, so it does not have this one yet.
      await agent.kill9();
      writeFileSync(join(watched, 'b.conf'), 'made while the agent was dead\n');
      agent.start();
      await scanned(2);
      const got = await messages(nc, agentId, 2);
      await new Promise((r) => setTimeout(r, 500));
      expect(await agent.stop()).toBe(0);
      const events = (await messages(nc, agentId, 2, 0)).map(
        (m) => `${m.event?.action} ${String(m.event?.path).slice(watched.length)}`,
      );
      expect(got.length).toBeGreaterThanOrEqual(2);
      expect(events).toContain('modified /a.conf');
      expect(events.filter((e) => e === 'created /b.conf')).toHaveLength(1);
      expect(new Set(events)).toEqual(new Set(['modified /a.conf', 'created /b.conf']));
    });
  });

  describe('inventory', () => {
    let server: Server;
    afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

    it('reports this host: its name, packages, and a port the test listens on', async () => {
      server = createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as { port: number };
      const agentId = `inv-${unique}`;
      const agent = await start(agentId, join(dir, 'inv'), [{ name: 'inventory', type: 'inventory' }]);
      const got = await messages(nc, agentId, 1);
      await agent.stop();
      expect(got).toHaveLength(1);
      const e = got[0]!.event as unknown as InventoryEvent;
      expect(e.type).toBe('inventory');
      expect(e.hostname).toBe(hostname());
      expect(e.packages!.length).toBeGreaterThan(0);
      expect(e.packages!.some((p) => p.name === 'bash')).toBe(true);
      expect(e.ports).toContainEqual(
        expect.objectContaining({ protocol: 'tcp', address: '127.0.0.1', port }),
      );
      expect(e.users).toContainEqual(expect.objectContaining({ name: 'root', uid: 0 }));

      const { source, doc } = ecsOf(got[0]!);
      expect(source).toBe('inventory');
      expect(get(doc, 'event.kind')).toBe('state');
      expect(get(doc, 'host.hostname')).toBe(hostname());
      expect(get(doc, 'host.os.kernel')).toBeTruthy();
      expect(get(doc, 'inventory.listening')).toContainEqual(
        expect.objectContaining({ transport: 'tcp', port }),
      );
      expect((get(doc, 'inventory.packages') as unknown[]).length).toBe(e.packages!.length);
    });
  });

  describe.skipIf(!!journalSkipReason)(
    `journald, agent killed -9${journalSkipReason ? ` [skipped: ${journalSkipReason}]` : ''}`,
    () => {
      let agent: AgentProcess | undefined;
      afterAll(async () => {
        await agent?.kill9();
      });

      it('entries written while the agent is killed -9 twice: each exactly once, in order', async () => {
        const agentId = `jkill-${unique}`;
        const journal = join(dir, 'journal-kill');
        mkdirSync(journal);
        const configFile = join(dir, 'journal-kill.yaml');
        writeFileSync(
          configFile,
          [
            `agent: { id: ${agentId}, dataDir: ${join(dir, 'journal-kill-data')} }`,
            `nats: { url: "${natsUrl}" }`,
            'inputs:',
            `  - { name: journal, type: journald, directory: "${journal}" }`,
            '',
          ].join('\n'),
        );
        agent = new AgentProcess(ROOT, configFile, openSync(join(dir, 'journal-kill.log'), 'a'));
        agent.start();
        const batches = 30;
        const perBatch = 100;
        let n = 0;
        let shipped = 0;
        for (let b = 0; b < batches; b++) {
          appendJournal(
            journal,
            Array.from({ length: perBatch }, () => ({ message: `entry ${++n}`, identifier: 'load' })),
          );
          if (b === 10 || b === 20) {
            // Killed mid-stream: once it has shipped some of what is written (more than at the last kill).
            const before = shipped;
            const deadline = Date.now() + 30_000;
            for (;;) {
              shipped = await countFor(nc, agentId);
              if (shipped > before || Date.now() > deadline) break;
              await new Promise((r) => setTimeout(r, 50));
            }
            expect(shipped).toBeGreaterThan(before);
            await agent.kill9();
            agent.start();
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        const got = await messages(nc, agentId, n, 60_000);
        // Longer than a duplicate would take to show up.
        await new Promise((r) => setTimeout(r, 1000));
        expect(await agent.stop()).toBe(0);
        const numbers = (await messages(nc, agentId, n, 0)).map((m) =>
          Number(String(m.event?.MESSAGE).split(' ')[1]),
        );
        expect(got.length).toBe(n);
        expect(numbers).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      });
    },
  );

  describe.skipIf(!!journalSkipReason)(
    `journald${journalSkipReason ? ` [skipped: ${journalSkipReason}]` : ''}`,
    () => {
      it('ships journal entries once each across an agent restart, as ECS the normaliser understands', async () => {
        const agentId = `jrn-${unique}`;
        const journal = join(dir, 'journal');
        mkdirSync(journal);
        appendJournal(journal, [
          {
            message: 'Failed password for root from 203.0.113.9 port 40022 ssh2',
            identifier: 'sshd',
            pid: 900,
          },
          {
            message: 'Accepted publickey for alice from 198.51.100.4 port 51000 ssh2: ED25519 SHA256:abc',
            identifier: 'sshd',
            pid: 901,
          },
        ]);
        const inputs = [{ name: 'journal', type: 'journald', directory: journal }];
        let agent = await start(agentId, join(dir, 'jdata'), inputs);
        let got = await messages(nc, agentId, 2);
        await agent.stop();
        appendJournal(journal, [{ message: 'written while the agent was stopped', identifier: 'app' }]);
        agent = await start(agentId, join(dir, 'jdata'), inputs);
        appendJournal(journal, [{ message: 'written after the restart', identifier: 'app' }]);
        got = await messages(nc, agentId, 4);
        // Longer than a duplicate would take to show up.
        await new Promise((r) => setTimeout(r, 1000));
        await agent.stop();
        got = await messages(nc, agentId, 4, 0);
        expect(got.map((m) => m.event?.MESSAGE)).toEqual([
          'Failed password for root from 203.0.113.9 port 40022 ssh2',
          'Accepted publickey for alice from 198.51.100.4 port 51000 ssh2: ED25519 SHA256:abc',
          'written while the agent was stopped',
          'written after the restart',
        ]);
        const failed = ecsOf(got[0]!);
        expect(failed.source).toBe('journald');
        expect(get(failed.doc, 'event.dataset')).toBe('system.auth');
        expect(get(failed.doc, 'event.outcome')).toBe('failure');
        expect(get(failed.doc, 'source.ip')).toBe('203.0.113.9');
        expect(get(failed.doc, 'process.pid')).toBe(900);
        expect(get(ecsOf(got[1]!).doc, 'event.outcome')).toBe('success');
      });
    },
  );
});

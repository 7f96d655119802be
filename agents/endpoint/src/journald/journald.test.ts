import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentMessage, DiskBuffer, InputCounters, Output } from '@soc/agent-shared';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { appendJournal, journalctlOnPath, journalSkipReason } from '../../test/journal.ts';
import { journaldInputSchema } from '../config.ts';
import { journalctlArgs } from './args.ts';
import { parseEntry } from './entry.ts';
import { JournaldInput, unavailable } from './journald-input.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'soc-journal-'));
  dirs.push(d);
  return d;
}

const cfg = (over: Record<string, unknown> = {}) =>
  journaldInputSchema.parse({ name: 'journal', type: 'journald', ...over });

// Recorded from `journalctl -o json --all` (systemd 252): a binary field prints as bytes, a repeated one as a list.
const RECORDED = [
  '{"_HOSTNAME":"web01","SYSLOG_IDENTIFIER":"sshd","_PID":"812","__CURSOR":"s=99840b6d49dd44aaadeddd791b906214;i=1f3;b=0123456789abcdef0123456789abcdef;m=1c9c380;t=661180c8c3e3d;x=8932fc4fc1584f05","MESSAGE":"Failed password for root from 203.0.113.7 port 52144 ssh2","PRIORITY":"6","__REALTIME_TIMESTAMP":"1773201000123456","_SYSTEMD_UNIT":"ssh.service","_COMM":"sshd"}',
  '{"__CURSOR":"s=99;i=2","MESSAGE":[104,105,255,33],"TAG":["a","b"],"BIG":null,"__REALTIME_TIMESTAMP":"1"}',
];

describe('journalctl arguments', () => {
  it('resume after the saved cursor, or start where startAt says, with the filters', () => {
    expect(journalctlArgs(cfg(), undefined)).toEqual([
      '--output=json',
      '--follow',
      '--all',
      '--no-pager',
      '--quiet',
      '--lines=all',
    ]);
    const args = journalctlArgs(
      cfg({
        directory: '/j',
        units: ['ssh.service'],
        identifiers: ['sudo', 'su'],
        priority: 'warning',
        startAt: 'end',
      }),
      's=1;i=2',
    );
    expect(args.slice(5)).toEqual([
      '--directory=/j',
      '--after-cursor=s=1;i=2',
      '--lines=all',
      '--unit=ssh.service',
      '--identifier=sudo',
      '--identifier=su',
      '--priority=warning',
    ]);
    expect(journalctlArgs(cfg({ startAt: 'end' }), undefined)).toContain('--lines=0');
  });
});

describe('journal entries', () => {
  it('ship the fields as the event, with the cursor to resume after', () => {
    const e = parseEntry(RECORDED[0]!, false);
    expect(e.cursor).toMatch(/^s=99840b6d/);
    expect(e.body.event).toMatchObject({ MESSAGE: expect.stringMatching(/^Failed password/), _PID: '812' });
  });

  it('decode bytes to text, keep lists, drop nulls', () => {
    const e = parseEntry(RECORDED[1]!, false);
    expect(e.body.event).toEqual({
      __CURSOR: 's=99;i=2',
      MESSAGE: 'hi\uFFFD!',
      TAG: ['a', 'b'],
      __REALTIME_TIMESTAMP: '1',
    });
  });

  it('ship what is not JSON, or was cut, raw with the reason (and a cursor when it can be read)', () => {
    expect(parseEntry('not json', false)).toMatchObject({
      body: { line: 'not json', parseError: expect.stringMatching(/invalid JSON/) },
      cursor: undefined,
    });
    const cut = parseEntry(RECORDED[0]!.slice(0, 300), true);
    expect(cut.body).toMatchObject({ truncated: true, parseError: expect.stringMatching(/maxEntryBytes/) });
    expect(cut.cursor).toMatch(/^s=99840b6d/);
  });
});

describe('journald availability', () => {
  it('is disabled, with the reason, without journalctl or without a journal', async () => {
    const dir = tmp();
    expect(await unavailable(cfg({ journalctl: join(dir, 'no-journalctl') }))).toMatch(/cannot be run/);
    expect(await unavailable(cfg({ directory: join(dir, 'nope') }), [])).toMatch(/does not exist/);
    if (!journalSkipReason) {
      const journals = [join(dir, 'run'), join(dir, 'var')];
      const socket = join(dir, 'socket');
      expect(await unavailable(cfg(), journals, socket)).toMatch(
        /no journal on this host: journald is not running/,
      );
      // An empty journal directory (left by a package) is no journal.
      mkdirSync(join(dir, 'var', '0123456789abcdef0123456789abcdef'), { recursive: true });
      expect(await unavailable(cfg(), journals, socket)).toMatch(/no journal on this host/);
      appendJournal(join(dir, 'var', '0123456789abcdef0123456789abcdef'), [{ message: 'x' }]);
      expect(await unavailable(cfg(), journals, socket)).toBeUndefined();
      writeFileSync(socket, '');
      expect(await unavailable(cfg(), [], socket)).toBeUndefined();
    }
  });
});

describe('a disabled journald input', () => {
  /** The input on a real disk buffer, looking for journals only under `dir`. */
  async function disabledInput(dir: string, over: Record<string, unknown>) {
    const buffer = await DiskBuffer.open({
      dir: join(dir, 'buffer'),
      maxBytes: 1024 * 1024,
      segmentBytes: 64 * 1024,
      fsync: 'never',
      fsyncIntervalMs: 10,
      whenFull: 'block',
      stateIntervalMs: 10,
    });
    const output = new Output({
      agentId: 'ep',
      hostName: 'h',
      buffer,
      counters: new InputCounters(),
      appendMaxEvents: 10,
      appendLingerMs: 1,
      maxPendingBytes: 64 * 1024,
    });
    const input = new JournaldInput(cfg(over), output, buffer.cursors, pino({ level: 'silent' }), {
      journals: [join(dir, 'run'), join(dir, 'var')],
      socket: join(dir, 'socket'),
    });
    return { input, buffer, output };
  }

  it('without journalctl: stops at once and says why in its condition (for the heartbeat), writing nothing', async () => {
    const dir = tmp();
    const { input, buffer, output } = await disabledInput(dir, { journalctl: join(dir, 'no-journalctl') });
    expect(input.condition).toEqual({ state: 'running' });
    input.start();
    await input.stop();
    expect(input.enabled).toBe(false);
    expect(input.condition).toEqual({
      state: 'disabled',
      reason: `${join(dir, 'no-journalctl')} cannot be run (not installed, or not on PATH)`,
    });
    await output.flush();
    expect(await buffer.read(100, 1e6)).toEqual([]);
    await buffer.close();
  });

  it.skipIf(!journalctlOnPath)(
    `without a journal (no journald socket, no journal files): disabled with that reason${journalctlOnPath ? '' : ' [skipped: needs journalctl (Debian package systemd)]'}`,
    async () => {
      const dir = tmp();
      const { input, buffer } = await disabledInput(dir, {});
      input.start();
      await input.stop();
      expect(input.condition.state).toBe('disabled');
      expect(input.condition.reason).toMatch(/^no journal on this host: journald is not running \(no /);
      await buffer.close();
    },
  );
});

/** A journald input on a real journal directory, writing to a real disk buffer. */
async function harness(data: string, over: Record<string, unknown>, cursors?: ReadonlyMap<string, unknown>) {
  const buffer = await DiskBuffer.open({
    dir: join(data, 'buffer'),
    maxBytes: 16 * 1024 * 1024,
    segmentBytes: 1024 * 1024,
    fsync: 'never',
    fsyncIntervalMs: 10,
    whenFull: 'block',
    stateIntervalMs: 10,
  });
  const output = new Output({
    agentId: 'ep',
    hostName: 'h',
    buffer,
    counters: new InputCounters(),
    appendMaxEvents: 1000,
    appendLingerMs: 1,
    maxPendingBytes: 1024 * 1024,
  });
  const input = new JournaldInput(
    cfg({ restartMinMs: 50, ...over }),
    output,
    cursors ?? buffer.cursors,
    pino({ level: 'silent' }),
  );
  input.start();
  const drain = async (): Promise<AgentMessage[]> => {
    await output.flush();
    const recs = await buffer.read(1e6, 1e9);
    await buffer.ack(recs);
    return recs.map((r) => JSON.parse(Buffer.from(r.payload).toString()) as AgentMessage);
  };
  return {
    input,
    drain,
    close: async () => {
      await input.stop();
      await buffer.close();
    },
  };
}

async function messages(drain: () => Promise<AgentMessage[]>, n: number, ms = 10_000): Promise<string[]> {
  const got: string[] = [];
  const deadline = Date.now() + ms;
  while (got.length < n && Date.now() < deadline) {
    for (const m of await drain()) got.push(String(m.event?.MESSAGE ?? m.line));
    if (got.length < n) await new Promise((r) => setTimeout(r, 50));
  }
  return got;
}

describe.skipIf(!!journalSkipReason)(
  `journald input on a real journal${journalSkipReason ? ` [skipped: ${journalSkipReason}]` : ''}`,
  () => {
    it('follows new entries, resumes after its cursor on restart, and restarts a journalctl that died', async () => {
      const root = tmp();
      const journal = join(root, 'journal');
      mkdirSync(journal);
      appendJournal(journal, [{ message: 'one' }, { message: 'two', identifier: 'sshd' }]);
      const first = await harness(join(root, 'data'), { directory: journal });
      expect(await messages(first.drain, 2)).toEqual(['one', 'two']);
      appendJournal(journal, [{ message: 'three' }]);
      expect(await messages(first.drain, 1)).toEqual(['three']);

      // journalctl killed under the input: started again after the last entry, nothing repeated.
      const pid = first.input.pid;
      expect(pid).toBeGreaterThan(0);
      process.kill(pid!, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      appendJournal(journal, [{ message: 'four' }]);
      expect(await messages(first.drain, 1)).toEqual(['four']);
      expect(first.input.pid).not.toBe(pid);
      await first.close();

      // Written while the agent was down: read after the saved cursor, nothing before it again.
      appendJournal(journal, [{ message: 'five' }, { message: Buffer.from([0x62, 0x69, 0x6e, 0xff]) }]);
      const second = await harness(join(root, 'data'), { directory: journal });
      expect(await messages(second.drain, 2)).toEqual(['five', 'bin\uFFFD']);
      await new Promise((r) => setTimeout(r, 300));
      expect(await second.drain()).toEqual([]);
      await second.close();
    });

    it('passes the filters to journalctl', async () => {
      const root = tmp();
      const journal = join(root, 'journal');
      mkdirSync(journal);
      appendJournal(journal, [
        { message: 'kept', identifier: 'sshd', priority: 4 },
        { message: 'too low', identifier: 'sshd', priority: 6 },
        { message: 'other program', identifier: 'cron', priority: 3 },
        { message: 'multi\nline', identifier: 'sshd', priority: 3, unit: 'ssh.service' },
      ]);
      const h = await harness(join(root, 'data'), {
        directory: journal,
        identifiers: ['sshd'],
        priority: 'warning',
      });
      expect(await messages(h.drain, 2)).toEqual(['kept', 'multi\nline']);
      await h.close();
    });

    it('starts over from startAt when journalctl rejects the saved cursor', async () => {
      const root = tmp();
      const journal = join(root, 'journal');
      mkdirSync(journal);
      appendJournal(journal, [{ message: 'first' }, { message: 'second' }]);
      const h = await harness(
        join(root, 'data'),
        { directory: journal },
        new Map([['journald:journal', { cursor: 'not a cursor' }]]),
      );
      expect(await messages(h.drain, 2)).toEqual(['first', 'second']);
      await h.close();
    });
  },
);

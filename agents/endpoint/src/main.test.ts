import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from './main.ts';

describe('soc-agent-endpoint entry', () => {
  it('exits 2 with usage without --config, 1 with the problems of a bad config', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await main([])).toBe(2);
      expect(await main(['--bogus'])).toBe(2);
      expect(await main(['--config', '/nonexistent.yaml'])).toBe(1);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/Invalid configuration/);
    } finally {
      err.mockRestore();
    }
  });

  it('--help offers enroll; enroll --help lists its flags (exit 0)', async () => {
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['--help'])).toBe(0);
      expect(String(out.mock.calls.at(-1)?.[0])).toMatch(
        /^ +soc-agent-endpoint enroll --api URL --token TOKEN/m,
      );
      expect(await main(['enroll', '--help'])).toBe(0);
      const help = String(out.mock.calls.at(-1)?.[0]);
      for (const flag of ['--api', '--token', '--config', '--out', '--creds', '--hostname'])
        expect(help).toContain(`  ${flag} `);
    } finally {
      out.mockRestore();
    }
  });

  it('enroll without --api or a token, or with an unknown flag, is a usage error (exit 2)', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const saved = process.env.SOC_ENROLL_TOKEN;
    delete process.env.SOC_ENROLL_TOKEN;
    try {
      expect(await main(['enroll', '--token', 'socenr_x'])).toBe(2);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(
        /^soc-agent-endpoint enroll: enroll needs --api URL/,
      );
      expect(await main(['enroll', '--api', 'http://127.0.0.1:1'])).toBe(2);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/needs --token TOKEN/);
      expect(await main(['enroll', '--api', 'http://127.0.0.1:1', '--token', 'x', '--bogus'])).toBe(2);
    } finally {
      err.mockRestore();
      if (saved !== undefined) process.env.SOC_ENROLL_TOKEN = saved;
    }
  });

  describe('enroll, against a stand-in for the API (the bundle int test runs the real one)', () => {
    let server: import('node:http').Server;
    let api: string;
    let calls = 0;
    beforeAll(async () => {
      const { createServer } = await import('node:http');
      const { issueAgentCredentials } = await import('@soc/agent-shared');
      const { createAuthority, publicKeyOfSeed } = await import('@soc/core/nats/credentials');
      const a = createAuthority();
      const { creds } = await issueAgentCredentials(
        { account: publicKeyOfSeed(a.accountSeed), signingSeed: a.accountSigningSeed },
        'ag-0123456789abcdef',
      );
      server = createServer((_req, res) => {
        calls++;
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            agent_id: 'ag-0123456789abcdef',
            organization_id: 'org-a',
            nats: { urls: [], creds },
          }),
        );
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      api = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('a creds directory that cannot be one is refused before the token is spent (exit 1)', async () => {
      const err = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const before = calls;
        // Under a regular file: no user, root included, can create it.
        expect(
          await main(['enroll', '--api', api, '--token', 'socenr_x', '--creds', '/dev/null/a.creds']),
        ).toBe(1);
        expect(err.mock.calls.at(-1)?.[0]).toBe(
          'soc-agent-endpoint enroll: cannot write the creds file’s directory: /dev/null is not a directory',
        );
        expect(calls).toBe(before);
      } finally {
        err.mockRestore();
      }
    });

    it('a config that is not YAML is refused before the token is spent (exit 1)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'soc-enroll-main-'));
      const err = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const before = calls;
        writeFileSync(join(dir, 'agent.yaml'), 'agent: [unclosed\n');
        const code = await main([
          'enroll',
          '--api',
          api,
          '--token',
          'x',
          '--config',
          join(dir, 'agent.yaml'),
        ]);
        expect(code).toBe(1);
        expect(err.mock.calls.at(-1)?.[0]).toMatch(/agent\.yaml is not valid YAML/);
        expect(calls).toBe(before);
      } finally {
        err.mockRestore();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a host-side failure after the API answered is one line on stderr and exit 1, not a stack', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'soc-enroll-main-'));
      const err = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const before = calls;
        // A directory where the creds file should go: its parent passes the checks, the rename fails.
        mkdirSync(join(dir, 'agent.creds'));
        writeFileSync(join(dir, 'agent.creds', 'keep'), '');
        const code = await main([
          'enroll',
          '--api',
          api,
          '--token',
          'x',
          '--creds',
          join(dir, 'agent.creds'),
        ]);
        expect(code).toBe(1);
        expect(calls).toBe(before + 1);
        expect(err.mock.calls.at(-1)?.[0]).toMatch(/^soc-agent-endpoint enroll: (EISDIR|ENOTEMPTY|EEXIST)/);
        // and the secret is not left behind in the temporary file
        expect(readdirSync(dir)).toEqual(['agent.creds']);
      } finally {
        err.mockRestore();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

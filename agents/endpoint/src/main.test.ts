import { describe, expect, it, vi } from 'vitest';
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

  it('enroll: a creds path the host cannot write is one line on stderr and exit 1, after the API answered', async () => {
    const { createServer } = await import('node:http');
    const { issueAgentCredentials } = await import('@soc/agent-shared');
    const { createAuthority, publicKeyOfSeed } = await import('@soc/core/nats/credentials');
    const a = createAuthority();
    const { creds } = await issueAgentCredentials(
      { account: publicKeyOfSeed(a.accountSeed), signingSeed: a.accountSigningSeed },
      'ag-0123456789abcdef',
    );
    // Stands in for the API's 201 (the bundle's own int test runs the real API).
    const server = createServer((_req, res) => {
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
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const port = (server.address() as { port: number }).port;
      // A path under a regular file: no user, root included, can create it.
      const code = await main([
        'enroll',
        '--api',
        `http://127.0.0.1:${port}`,
        '--token',
        'socenr_x',
        '--creds',
        '/dev/null/agent.creds',
      ]);
      expect(code).toBe(1);
      expect(err.mock.calls.at(-1)?.[0]).toMatch(/^soc-agent-endpoint enroll: .*\/dev\/null/);
    } finally {
      err.mockRestore();
      server.close();
    }
  });
});

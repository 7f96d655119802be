import { describe, expect, it, vi } from 'vitest';
import { main } from './main.ts';

describe('soc-agent-network entry', () => {
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
        /^ +soc-agent-network enroll --api URL --token TOKEN/m,
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
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/^soc-agent-network enroll: enroll needs --api URL/);
      expect(await main(['enroll', '--api', 'http://127.0.0.1:1'])).toBe(2);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/needs --token TOKEN/);
      expect(await main(['enroll', '--api', 'http://127.0.0.1:1', '--token', 'x', '--bogus'])).toBe(2);
    } finally {
      err.mockRestore();
      if (saved !== undefined) process.env.SOC_ENROLL_TOKEN = saved;
    }
  });
});

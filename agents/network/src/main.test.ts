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
});

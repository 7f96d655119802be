import { describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';

describe('soc agent', () => {
  it('is listed, and says what it needs when used wrongly (exit 2)', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['help', 'agent'])).toBe(0);
      expect(String(out.mock.calls.at(-1)?.[0])).toMatch(/soc agent endpoint\|network --config FILE/);
      expect(await main(['agent'])).toBe(2);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/missing agent kind/);
      expect(await main(['agent', 'endpoint'])).toBe(2);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/--config FILE is required/);
      expect(await main(['agent', 'toaster', '--config', 'x'])).toBe(2);
      expect(await main(['agent', 'endpoint', '--config', '/nonexistent/agent.yaml'])).toBe(1);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/Invalid configuration/);
      expect(await main(['agent', 'network', '--config', '/nonexistent/agent.yaml'])).toBe(1);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/Invalid configuration/);
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from './processes.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('startDaemon', () => {
  it('a program that cannot be started is a clear error, not a crash of the command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-daemon-'));
    dirs.push(dir);
    const crashes: unknown[] = [];
    const onCrash = (err: unknown) => crashes.push(err);
    process.on('uncaughtException', onCrash);
    try {
      expect(() =>
        startDaemon({
          name: 'missing',
          command: join(dir, 'no-such-program'),
          args: [],
          logFile: join(dir, 'log'),
          pidFile: join(dir, 'pid'),
          marker: 'no-such-program',
        }),
      ).toThrow(/could not start .*no-such-program: it must exist and be executable/);
      // the spawn's own 'error' event arrives on a later tick
      await new Promise((r) => setTimeout(r, 100));
      expect(crashes).toEqual([]);
    } finally {
      process.off('uncaughtException', onCrash);
    }
  });
});

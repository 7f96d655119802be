import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';

// None of these command lines may reach the stack: if one did, fail loudly instead of starting
// NATS or Elasticsearch on the test machine.
const reachedStack = vi.hoisted(() => ({ calls: [] as string[] }));
vi.mock('@soc/stack', async (importOriginal) => {
  const original = await importOriginal<typeof import('@soc/stack')>();
  const refuse = (name: string) => () => {
    reachedStack.calls.push(name);
    throw new Error(`unit test must not call ${name}`);
  };
  return {
    ...original,
    stackUp: refuse('stackUp'),
    stackDown: refuse('stackDown'),
    stackStatus: refuse('stackStatus'),
  };
});

const { main, usage, VERSION } = await import('./main.ts');

let log: MockInstance<typeof console.log>;
let error: MockInstance<typeof console.error>;

const printed = (spy: MockInstance<(...args: unknown[]) => void>) =>
  spy.mock.calls.map((c) => c.join(' ')).join('\n');

beforeEach(() => {
  reachedStack.calls = [];
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
  error = vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
  expect(reachedStack.calls).toEqual([]);
});

/** Usage errors exit 2 and print the message and the relevant usage to stderr, nothing to stdout. */
async function expectUsageError(argv: string[], message: RegExp, usageHead: string) {
  expect(await main(argv)).toBe(2);
  const err = printed(error);
  expect(err).toMatch(/^soc: /);
  expect(err).toMatch(message);
  expect(err).toContain(usageHead);
  expect(log).not.toHaveBeenCalled();
}

describe('main', () => {
  it('prints the usage and exits 2 with no arguments', async () => {
    expect(await main([])).toBe(2);
    expect(`${printed(log)}\n${printed(error)}`).toContain('Usage: soc <command> [options]');
  });

  it.each([['help'], ['--help'], ['-h']])('%s prints the usage to stdout and exits 0', async (flag) => {
    expect(await main([flag])).toBe(0);
    const out = printed(log);
    expect(out).toBe(usage());
    expect(out).toContain('Usage: soc <command> [options]');
    expect(out).toMatch(/^ {2}stack\s+run the local NATS/m);
    expect(out).toMatch(/^ {2}start\s+/m);
    expect(error).not.toHaveBeenCalled();
  });

  it("help <command> prints that command's usage and exits 0", async () => {
    expect(await main(['help', 'stack'])).toBe(0);
    expect(printed(log)).toContain('Usage: soc stack <up|down|status>');
    expect(error).not.toHaveBeenCalled();
  });

  it.each([['version'], ['--version']])('%s prints the version and exits 0', async (arg) => {
    expect(await main([arg])).toBe(0);
    expect(printed(log)).toBe(VERSION);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('help for an unknown command is a usage error', async () => {
    await expectUsageError(['help', 'bogus'], /unknown command: bogus/, 'Usage: soc <command> [options]');
  });

  it('an unknown command is a usage error', async () => {
    await expectUsageError(['bogus'], /unknown command: bogus/, 'Usage: soc <command> [options]');
  });

  it('an unknown stack flag is a usage error', async () => {
    await expectUsageError(['stack', '--bogus'], /--bogus/, 'Usage: soc stack');
  });

  it('stack without an action is a usage error', async () => {
    await expectUsageError(['stack'], /missing action/, 'Usage: soc stack');
  });

  it('an unknown stack action is a usage error', async () => {
    await expectUsageError(['stack', 'sideways'], /unknown action: sideways/, 'Usage: soc stack');
  });

  it('an extra stack argument is a usage error', async () => {
    await expectUsageError(['stack', 'up', 'now'], /unexpected argument: now/, 'Usage: soc stack');
  });

  it('stack down --only with an unknown component is a usage error', async () => {
    await expectUsageError(['stack', 'down', '--only', 'redis'], /--only/, 'Usage: soc stack');
  });

  it('stack --help prints the stack usage and exits 0', async () => {
    expect(await main(['stack', '--help'])).toBe(0);
    expect(printed(log)).toContain('Usage: soc stack');
  });

  it.each([['x'], ['0'], ['65536'], ['80.5']])('start --api-port %s is a usage error', async (value) => {
    await expectUsageError(
      ['start', '--api-port', value],
      /--api-port must be a port number/,
      'Usage: soc start',
    );
  });

  it('an unknown start flag is a usage error', async () => {
    await expectUsageError(['start', '--bogus'], /--bogus/, 'Usage: soc start');
  });

  it('a stray start argument is a usage error', async () => {
    await expectUsageError(['start', 'now'], /unexpected argument: now/, 'Usage: soc start');
  });
});

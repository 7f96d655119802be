import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ConnectionOptions, connect } from '@nats-io/transport-node';

/** Test support: a nats-server of a test's own, to stop, kill, restart or run with authorization. */

export const natsServerOnPath = spawnSync('nats-server', ['--version']).status === 0;

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => child.once('exit', () => r()));
}

/**
 * A nats-server of the test's own, so taking it down does not disturb the shared one other
 * tests use. Restarted on the same port and store directory: JetStream keeps its messages and
 * rebuilds its duplicate window from them.
 */
export class OwnNatsServer {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly storeDir: string,
    private readonly log: number,
    private readonly configFile: string | undefined,
    private readonly probe: Partial<ConnectionOptions>,
  ) {}

  /**
   * `authorization`: a nats-server `authorization { … }` block (users and permissions);
   * `auth`: any other authorization config (e.g. operator mode: operator, resolver…), for
   * tests of what an agent's credentials allow; `probe` logs in to check the server is up.
   */
  static async start(
    dir: string,
    opts: { authorization?: string; auth?: string; probe?: Partial<ConnectionOptions> } = {},
  ): Promise<OwnNatsServer> {
    const port = await freePort();
    const store = join(dir, 'jetstream');
    let configFile: string | undefined;
    if (opts.authorization || opts.auth) {
      configFile = join(dir, 'nats.conf');
      writeFileSync(
        configFile,
        `listen: 127.0.0.1:${port}\njetstream { store_dir: "${store}" }\n${opts.authorization ? `authorization ${opts.authorization}` : opts.auth}\n`,
      );
    }
    const log = openSync(join(dir, 'nats.log'), 'a');
    const s = new OwnNatsServer(port, store, log, configFile, opts.probe ?? {});
    await s.up();
    return s;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const args = this.configFile
      ? ['-c', this.configFile]
      : ['-js', '-sd', this.storeDir, '-a', '127.0.0.1', '-p', String(this.port)];
    this.child = spawn('nats-server', args, { stdio: ['ignore', this.log, this.log] });
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const nc = await connect({ servers: this.url, timeout: 500, ...this.probe });
        await nc.close();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(100);
      }
    }
  }

  /** Unreachable at once, as a crashed server or a cut cable. */
  async kill(): Promise<void> {
    const c = this.child;
    c?.kill('SIGKILL');
    if (c) await exited(c);
    this.child = undefined;
  }
}

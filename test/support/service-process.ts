import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * A service (`services/<name>/src/main.ts`) as its own process, configured through a
 * `SOC_CONFIG` file holding `{ <name>: config }`: what fault tests kill -9 and restart.
 * The last 20 kB of its output are kept for failure messages.
 */
export class ServiceProcess {
  readonly child: ChildProcess;
  output = '';

  constructor(
    name: string,
    urls: { natsUrl: string; esUrl: string },
    config: Record<string, unknown>,
    nodeArgs: string[] = [],
  ) {
    const file = join(mkdtempSync(join(tmpdir(), `soc-${name}-`)), `${name}.json`);
    writeFileSync(file, JSON.stringify({ [name]: config, log: { level: 'warn' } }));
    this.child = spawn(
      process.execPath,
      [...nodeArgs, '--import', 'tsx', join(ROOT, `services/${name}/src/main.ts`)],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          NATS_URL: urls.natsUrl,
          ELASTICSEARCH_URL: urls.esUrl,
          SOC_CONFIG: file,
          SOC_HTTP__PORT: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    for (const s of [this.child.stdout, this.child.stderr])
      s?.on('data', (d) => {
        this.output = (this.output + String(d)).slice(-20_000);
      });
  }

  kill9(): Promise<void> {
    return this.#signal('SIGKILL');
  }

  stop(): Promise<void> {
    return this.#signal('SIGTERM');
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await gone;
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { exited } from '@soc/test-support/nats-server';

/** Test support: processes the fault tests start, stop and kill on their own. */

export { freePort, natsServerOnPath, OwnNatsServer } from '@soc/test-support/nats-server';

/** The agent as operators run it (`log`: a file descriptor both outputs are appended to) (`soc agent endpoint --config FILE`), in its own process. */
export class AgentProcess {
  private child: ChildProcess | undefined;
  constructor(
    private readonly root: string,
    private readonly config: string,
    private readonly log: number,
  ) {}

  start(): void {
    this.child = spawn(
      process.execPath,
      [join(this.root, 'services/cli/bin/soc.js'), 'agent', 'endpoint', '--config', this.config],
      {
        stdio: ['ignore', this.log, this.log],
        env: this.env(),
      },
    );
  }

  /** The test's environment minus what would override the config file's NATS URL. */
  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info' };
    delete env.NATS_URL;
    delete env.SOC_NATS__URL;
    return env;
  }

  async kill9(): Promise<void> {
    const c = this.child;
    c?.kill('SIGKILL');
    if (c) await exited(c);
  }

  async stop(): Promise<number | null> {
    const c = this.child;
    if (!c) return null;
    c.kill('SIGTERM');
    await exited(c);
    return c.exitCode;
  }
}

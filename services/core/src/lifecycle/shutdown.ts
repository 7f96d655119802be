import type { Logger } from '../log/logger.ts';

type Hook = { name: string; run: () => Promise<void> | void };

/**
 * Ordered, bounded shutdown. Hooks run last-registered-first (a consumer registered after
 * its connection stops before the connection closes), each failure is logged and the rest
 * still run, and the whole sequence is capped so a stuck hook cannot hang a deploy.
 */
export class Shutdown {
  readonly #hooks: Hook[] = [];
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs = 15_000,
  ) {}

  /** Aborted as soon as shutdown begins: long-running loops watch it to stop taking work. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  add(name: string, run: Hook['run']): void {
    this.#hooks.push({ name, run });
  }

  run(reason: string): Promise<void> {
    this.#running ??= this.#runHooks(reason);
    return this.#running;
  }

  async #runHooks(reason: string): Promise<void> {
    this.logger.info({ reason }, 'shutting down');
    this.#abort.abort(reason);
    const all = (async () => {
      for (const hook of [...this.#hooks].reverse()) {
        try {
          await hook.run();
        } catch (err) {
          this.logger.error({ err, hook: hook.name }, 'shutdown hook failed');
        }
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      timer.unref();
    });
    const outcome = await Promise.race([all.then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.error({ timeoutMs: this.timeoutMs }, 'shutdown timed out');
    else this.logger.info('shutdown complete');
  }

  /** SIGINT/SIGTERM start the shutdown; a second signal exits at once. */
  installSignalHandlers(exit: (code: number) => void = (code) => process.exit(code)): void {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (this.#running) exit(130);
        void this.run(signal).then(() => exit(0));
      });
    }
  }
}

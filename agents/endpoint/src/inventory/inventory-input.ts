import type { Output } from '@soc/agent-shared';
import type { Logger } from 'pino';
import type { InventoryInputConfig } from '../config.ts';
import { collectInventory, fitInventory } from './collect.ts';

/**
 * Host inventory at start and every `intervalS`. Each inventory is a whole snapshot, so
 * nothing is checkpointed: a restart simply takes a new one.
 */
export class InventoryInput {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly cfg: InventoryInputConfig,
    private readonly output: Output,
    private readonly logger: Logger,
  ) {}

  get name(): string {
    return this.cfg.name;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** Collects and ships one inventory. Exposed for tests. */
  async once(): Promise<void> {
    const { event, problems, packagesLeftOut: overMax } = await collectInventory(this.cfg);
    const packagesLeftOut = overMax + fitInventory(event);
    if (problems.length) this.logger.warn({ problems }, 'inventory incomplete');
    if (packagesLeftOut)
      this.logger.warn(
        { leftOut: packagesLeftOut, maxPackages: this.cfg.maxPackages },
        'more packages than maxPackages or than fit in one message: the rest are not in the inventory',
      );
    await this.output.write(this.cfg.name, { event: event as unknown as Record<string, unknown> });
    this.logger.info(
      {
        packages: event.packages?.length,
        ports: event.ports?.length,
        users: event.users?.length,
      },
      'inventory shipped',
    );
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.once();
      } catch (err) {
        this.logger.error({ err }, 'inventory failed; next attempt at the next interval');
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.cfg.intervalS * 1000);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}

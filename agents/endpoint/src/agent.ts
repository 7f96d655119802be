import { type AgentRuntime, startRuntime } from '@soc/agent-shared';
import { createLogger, type Logger } from '@soc/core/log/logger';
import type { EndpointConfig } from './config.ts';
import { FileInput } from './tail/file-input.ts';

export const VERSION = '0.1.0';

export interface EndpointAgent {
  runtime: AgentRuntime;
  inputs: FileInput[];
  /** Stops reading, flushes to the buffer, publishes what it can within `output.drainMs`. */
  stop(): Promise<void>;
}

export async function startEndpointAgent(config: EndpointConfig, logger?: Logger): Promise<EndpointAgent> {
  const log =
    logger ?? createLogger({ service: 'agent-endpoint', level: config.log.level, pretty: config.log.pretty });
  const runtime = await startRuntime(config, {
    version: VERSION,
    logger: log,
    inputs: () => config.inputs.map((i) => i.name),
  });
  const inputs = config.inputs.map(
    (cfg) =>
      new FileInput(
        cfg,
        config.tail,
        runtime.output,
        runtime.buffer.cursors,
        (key) => runtime.buffer.forget(key),
        log.child({ input: cfg.name }),
      ),
  );
  for (const i of inputs) i.start();
  log.info(
    { agent: config.agent.id, inputs: config.inputs.map((i) => i.name), dataDir: config.agent.dataDir },
    'endpoint agent started',
  );
  return {
    runtime,
    inputs,
    async stop() {
      await Promise.all(inputs.map((i) => i.stop()));
      await runtime.close();
      log.info('endpoint agent stopped');
    },
  };
}

/** `soc agent endpoint`: runs until SIGTERM/SIGINT (exit 0) or the disk buffer fails (exit 1, systemd restarts it). */
export async function runEndpointAgent(config: EndpointConfig): Promise<number> {
  const agent = await startEndpointAgent(config);
  const signalled = new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  try {
    await Promise.race([signalled, agent.runtime.output.failed]);
  } catch (err) {
    console.error(`soc agent endpoint: disk buffer failed: ${(err as Error).message}`);
    await agent.stop().catch(() => undefined);
    return 1;
  }
  await agent.stop();
  return 0;
}

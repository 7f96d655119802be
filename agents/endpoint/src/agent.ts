import { type AgentRuntime, runUntilSignal, startRuntime } from '@soc/agent-shared';
import { createLogger, type Logger } from '@soc/core/log/logger';
import type { EndpointConfig, InputConfig } from './config.ts';
import { FimInput } from './fim/fim-input.ts';
import { InventoryInput } from './inventory/inventory-input.ts';
import { JournaldInput } from './journald/journald-input.ts';
import { FileInput } from './tail/file-input.ts';

/** Every kind of input: each reads on its own once started, and stops flushing what it holds. */
export type EndpointInput = FileInput | JournaldInput | FimInput | InventoryInput;

export const VERSION = '0.1.0';

export interface EndpointAgent {
  runtime: AgentRuntime;
  inputs: EndpointInput[];
  /** Stops reading, flushes to the buffer, publishes what it can within `output.drainMs`. */
  stop(): Promise<void>;
}

export async function startEndpointAgent(config: EndpointConfig, logger?: Logger): Promise<EndpointAgent> {
  const log =
    logger ?? createLogger({ service: 'agent-endpoint', level: config.log.level, pretty: config.log.pretty });
  let inputs: EndpointInput[] = [];
  const runtime = await startRuntime(config, {
    version: VERSION,
    logger: log,
    inputs: () => config.inputs.map((i) => i.name),
    // Only a journald input can find it has nothing to read (no journal on this host).
    inputStates: () =>
      Object.fromEntries(
        inputs.map((i) => [i.name, i instanceof JournaldInput ? i.condition : { state: 'running' as const }]),
      ),
  });
  inputs = config.inputs.map((cfg) => createInput(cfg, config, runtime, log.child({ input: cfg.name })));
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

function createInput(
  cfg: InputConfig,
  config: EndpointConfig,
  runtime: AgentRuntime,
  log: Logger,
): EndpointInput {
  const { output, buffer } = runtime;
  switch (cfg.type) {
    case 'file':
      return new FileInput(cfg, config.tail, output, buffer.cursors, (key) => buffer.forget(key), log);
    case 'journald':
      return new JournaldInput(cfg, output, buffer.cursors, log);
    case 'fim':
      return new FimInput(cfg, config.agent.dataDir, output, log);
    case 'inventory':
      return new InventoryInput(cfg, output, log);
  }
}

/** `soc agent endpoint`: runs until SIGTERM/SIGINT (exit 0) or the disk buffer fails (exit 1, systemd restarts it). */
export async function runEndpointAgent(config: EndpointConfig): Promise<number> {
  return runUntilSignal(await startEndpointAgent(config), 'soc agent endpoint');
}

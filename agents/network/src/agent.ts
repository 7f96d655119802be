import { type AgentRuntime, runUntilSignal, startRuntime } from '@soc/agent-shared';
import { createLogger, type Logger } from '@soc/core/log/logger';
import type { NetworkConfig } from './config.ts';
import { SnmpPoller } from './snmp/poller.ts';
import { TrapReceiver } from './snmp/receiver.ts';
import { SyslogListener } from './syslog/listener.ts';

/** What every input of the network agent is: something that listens on a socket. */
export type NetworkInput = SyslogListener | TrapReceiver | SnmpPoller;

export const VERSION = '0.1.0';

export interface NetworkAgent {
  runtime: AgentRuntime;
  listeners: NetworkInput[];
  /** Stops listening, flushes to the buffer, publishes what it can within `output.drainMs`. */
  stop(): Promise<void>;
}

export async function startNetworkAgent(config: NetworkConfig, logger?: Logger): Promise<NetworkAgent> {
  const log =
    logger ?? createLogger({ service: 'agent-network', level: config.log.level, pretty: config.log.pretty });
  let listeners: NetworkInput[] = [];
  const runtime = await startRuntime(config, {
    version: VERSION,
    logger: log,
    inputs: () => config.inputs.map((i) => i.name),
    // Flagged messages (oversize, garbage, bad frames) and polls, next to read/sent.
    inputStats: () => Object.fromEntries(listeners.map((l) => [l.name, { ...l.stats }])),
    // A listener that cannot bind stops the agent at start; one that started is running.
    inputStates: () => Object.fromEntries(listeners.map((l) => [l.name, { state: 'running' as const }])),
  });
  listeners = config.inputs.map((cfg) =>
    cfg.type === 'syslog'
      ? new SyslogListener(cfg, runtime.output, log.child({ input: cfg.name }))
      : cfg.type === 'snmp-trap'
        ? new TrapReceiver(cfg, runtime.output, log.child({ input: cfg.name }))
        : new SnmpPoller(cfg, runtime.output, log.child({ input: cfg.name })),
  );
  try {
    await Promise.all(listeners.map((l) => l.start()));
  } catch (err) {
    // A port in use or a bad certificate: nothing half-started is left behind.
    await Promise.allSettled(listeners.map((l) => l.stop()));
    await runtime.close();
    throw err;
  }
  // Flagged or rejected messages are counted per input; the log says how many, with the heartbeat's rhythm.
  const report = setInterval(() => {
    for (const l of listeners)
      if (
        Object.entries(l.stats).some(([k, v]) => !['received', 'connections', 'polls'].includes(k) && v > 0)
      )
        log.info({ input: l.name, ...l.stats }, 'input counters');
  }, config.heartbeat.intervalS * 1000);
  report.unref();
  log.info(
    {
      agent: config.agent.id,
      inputs: listeners.map((l) => ({ name: l.name, protocol: l.protocol, ...l.address() })),
      dataDir: config.agent.dataDir,
    },
    'network agent started',
  );
  return {
    runtime,
    listeners,
    async stop() {
      clearInterval(report);
      await Promise.all(listeners.map((l) => l.stop()));
      await runtime.close();
      log.info(
        { inputs: Object.fromEntries(listeners.map((l) => [l.name, l.stats])) },
        'network agent stopped',
      );
    },
  };
}

/** `soc agent network`: runs until SIGTERM/SIGINT (exit 0) or the disk buffer fails (exit 1, systemd restarts it). */
export async function runNetworkAgent(config: NetworkConfig): Promise<number> {
  return runUntilSignal(await startNetworkAgent(config), 'soc agent network');
}

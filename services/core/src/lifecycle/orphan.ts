import type { Shutdown } from './shutdown.ts';

/**
 * A service started by a supervisor (`soc start`) gets SOC_SUPERVISOR_PID. If the supervisor
 * dies without stopping it (kill -9), the service is re-parented; it notices and shuts down
 * rather than holding its port and connections forever.
 */
export function exitWithSupervisor(
  shutdown: Shutdown,
  env: NodeJS.ProcessEnv = process.env,
  intervalMs = 1_000,
): void {
  const supervisor = Number(env.SOC_SUPERVISOR_PID);
  if (!Number.isInteger(supervisor) || supervisor <= 0) return;
  const timer = setInterval(() => {
    if (process.ppid !== supervisor) {
      clearInterval(timer);
      void shutdown.run('supervisor exited').then(() => process.exit(0));
    }
  }, intervalMs);
  timer.unref();
  shutdown.add('supervisor-watch', () => clearInterval(timer));
}

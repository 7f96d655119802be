// `npm start`: install if needed, then `soc start` (stack + services + demo data).
import { spawn } from 'node:child_process';
import { ensureInstalled, ROOT, SOC } from './bootstrap.mjs';

ensureInstalled();
const child = spawn(process.execPath, [SOC, 'start', ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
});
// Ctrl-C reaches the whole process group; `soc start` handles it, we only wait for it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));

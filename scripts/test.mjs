// `npm test`: lint and type-check, bring up (or reuse) the real stack, run every test.
// Stops the stack afterwards only if this run started it (SOC_KEEP_STACK=1 keeps it).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInstalled, ROOT, run, SOC } from './bootstrap.mjs';

ensureInstalled();
const t0 = Date.now();

/**
 * The network agent's tests talk to real SNMP peers (Debian's snmp: snmptrap, snmpinform;
 * snmpd). Installed the way the stack installs nats-server: only as root with apt-get; when
 * that is not possible those suites skip and say why.
 */
function ensureTestPeers() {
  const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
  if (has('snmptrap') && has('snmpd')) return console.log('snmp, snmpd: present');
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    return console.log(
      'snmp, snmpd: missing and not installable here (needs root and apt-get); SNMP tests will skip',
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', 'snmp', 'snmpd'], { stdio: 'ignore', env }).status === 0;
  const ok =
    install() ||
    (spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env }).status === 0 && install());
  console.log(
    ok ? 'snmp, snmpd: installed with apt-get' : 'snmp, snmpd: apt-get failed; SNMP tests will skip',
  );
}
const lap = (what) => console.log(`\n── ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

lap('lint: biome');
if (run(bin('biome'), ['check', '.']) !== 0) process.exit(1);
lap('type-check: tsc');
if (run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']) !== 0) process.exit(1);

lap('stack up');
// Tests connect anonymously: their NATS runs without authorization (the auth tests start
// operator-mode servers of their own). Beside an `npm start` whose NATS requires credentials
// on 4222, the stack serves this mode from a second NATS (4223) and stops it afterwards.
process.env.SOC_STACK__NATS_AUTH = 'none';
const up = spawnSync(process.execPath, [SOC, 'stack', 'up', '--json'], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
});
if (up.status !== 0) {
  console.error('npm test: the stack could not be brought up (see above); integration tests need it.');
  process.exit(up.status ?? 1);
}
const stack = JSON.parse(up.stdout.trim().split('\n').pop());
console.log(
  `NATS ${stack.natsUrl}, Elasticsearch ${stack.elasticsearchUrl}${stack.started.length ? ` (started ${stack.started.join(', ')})` : ' (reused)'}`,
);

lap('test peers');
ensureTestPeers();

lap('vitest');
const results = join(ROOT, 'var', 'test-results.json');
rmSync(results, { force: true });
const env = {
  ...process.env,
  NATS_URL: stack.natsUrl,
  ELASTICSEARCH_URL: stack.elasticsearchUrl,
  SOC_TEST_STACK: '1',
};
const status = run(
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)],
  env,
);

if (stack.started.length && process.env.SOC_KEEP_STACK !== '1') {
  lap(`stack down (${stack.started.join(', ')})`);
  run(process.execPath, [SOC, 'stack', 'down', '--only', stack.started.join(',')]);
}
lap('done');
// One plain closing line with the counts, whatever the runner's own format.
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  console.log(
    `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`,
  );
}
process.exit(status);

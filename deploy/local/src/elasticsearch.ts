import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from './config.ts';
import { PrerequisiteError } from './errors.ts';
import { findJdks, pickJdkForElasticsearch } from './java.ts';
import { ensureDir, varDir } from './paths.ts';
import { describePortOwner, isPortFree } from './ports.ts';
import { runningPid, startDaemon, stopDaemon, waitUntil } from './processes.ts';
import type { ComponentStatus } from './status.ts';

const ARTIFACT = 'org.elasticsearch.distribution.integ-test-zip:elasticsearch';
/** Elasticsearch refuses to run as root; when we are root it runs as this system user. */
const ES_USER = 'soc-es';

function paths(version: string) {
  const es = ensureDir(varDir('es'));
  return {
    dist: varDir('cache', `elasticsearch-${version}`),
    conf: join(es, 'config'),
    data: join(es, 'data'),
    tmp: join(es, 'tmp'),
    logs: ensureDir(varDir('log', 'elasticsearch')),
    log: join(ensureDir(varDir('log')), 'elasticsearch.log'),
    pid: join(ensureDir(varDir('run')), 'elasticsearch.pid'),
  };
}

/** Fetches the distribution from Maven Central with mvn and unpacks it into var/cache (once). */
export function ensureDistribution(version: string, log: (line: string) => void): string {
  const p = paths(version);
  if (existsSync(join(p.dist, 'bin', 'elasticsearch'))) return p.dist;
  if (spawnSync('sh', ['-c', 'command -v mvn']).status !== 0) {
    throw new PrerequisiteError(
      'Maven (mvn) is not on PATH; it is needed to fetch Elasticsearch from Maven Central.',
      'Install Maven (Debian/Ubuntu: apt-get install maven), or set ELASTICSEARCH_URL to a running Elasticsearch 8.x cluster.',
    );
  }
  const staging = varDir('cache', `.unpack-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  log(`fetching ${ARTIFACT}:${version} from Maven Central with mvn…`);
  const r = spawnSync(
    'mvn',
    [
      '-B',
      '-q',
      'dependency:unpack',
      `-Dartifact=${ARTIFACT}:${version}:zip`,
      `-DoutputDirectory=${staging}`,
    ],
    { encoding: 'utf8', cwd: ensureDir(varDir('cache')) },
  );
  if (r.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new PrerequisiteError(
      `mvn could not fetch ${ARTIFACT}:${version}: ${(r.stdout + r.stderr).trim().split('\n').slice(-5).join('\n')}`,
      'Check network access to Maven Central (or a mirror in ~/.m2/settings.xml), or set ELASTICSEARCH_URL to a running cluster.',
    );
  }
  const unpacked = join(staging, `elasticsearch-${version}`);
  // Zip entries lose their exec bits in some unpackers; the launch scripts need them.
  for (const f of readdirSync(join(unpacked, 'bin'))) chmodSync(join(unpacked, 'bin', f), 0o755);
  renameSync(unpacked, p.dist);
  rmSync(staging, { recursive: true, force: true });
  return p.dist;
}

function esUser(log: (line: string) => void): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (spawnSync('id', ['-u', ES_USER]).status !== 0) {
    log(`creating system user ${ES_USER} (Elasticsearch does not run as root)…`);
    const r = spawnSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', ES_USER],
      {
        encoding: 'utf8',
      },
    );
    if (r.status !== 0 && spawnSync('id', ['-u', ES_USER]).status !== 0) {
      throw new PrerequisiteError(
        `Cannot create the user ${ES_USER}: ${r.stderr.trim()}`,
        'Run the stack as a non-root user, or set ELASTICSEARCH_URL to a running cluster.',
      );
    }
  }
  const uid = Number(execFileSync('id', ['-u', ES_USER], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', ES_USER], { encoding: 'utf8' }));
  return { uid, gid };
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
}

async function healthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`, {
    signal: AbortSignal.timeout(3000),
  });
  return res.ok;
}

function externalUrl(): string | undefined {
  return process.env.ELASTICSEARCH_URL?.replace(/\/+$/, '') || undefined;
}

export async function elasticsearchUp(
  cfg: StackConfig,
  log: (line: string) => void,
): Promise<{ url: string; started: boolean }> {
  const external = externalUrl();
  if (external) {
    if (!(await healthy(external).catch(() => false))) {
      throw new PrerequisiteError(
        `ELASTICSEARCH_URL=${external.replace(/\/\/[^@/]*@/, '//***@')} does not answer with a yellow or green cluster.`,
        'Start that cluster, fix the URL, or unset ELASTICSEARCH_URL to let the stack run its own Elasticsearch.',
      );
    }
    log(`using the Elasticsearch cluster at ELASTICSEARCH_URL`);
    return { url: external, started: false };
  }
  const url = `http://${cfg.host}:${cfg.esPort}`;
  const p = paths(cfg.esVersion);
  const timeoutMs = cfg.startTimeoutS * 1000;
  const existing = runningPid(p.pid, p.conf);
  if (existing !== undefined) {
    await waitUntil(() => healthy(url), { timeoutMs, pid: existing, what: 'Elasticsearch', logFile: p.log });
    return { url, started: false };
  }
  for (const port of [cfg.esPort, cfg.esTransportPort]) {
    if (!(await isPortFree(cfg.host, port))) {
      throw new PrerequisiteError(
        `Port ${cfg.host}:${port} is already in use${describePortOwner(port)}, so the local Elasticsearch cannot start.`,
        'Stop that process, move the local Elasticsearch with SOC_STACK__ES_PORT / SOC_STACK__ES_TRANSPORT_PORT, or use that cluster with ELASTICSEARCH_URL.',
      );
    }
  }
  const jdks = findJdks();
  const jdk = pickJdkForElasticsearch(jdks);
  if (!jdk && process.env.ES_JAVA_HOME) {
    throw new PrerequisiteError(
      `ES_JAVA_HOME=${process.env.ES_JAVA_HOME} is not a JDK that Elasticsearch ${cfg.esVersion} runs on (Java 17–24).`,
      'Point ES_JAVA_HOME at a JDK 17–24, unset it to let the stack pick one, or set ELASTICSEARCH_URL to a running cluster.',
    );
  }
  if (!jdk) {
    const seen = jdks.map((j) => `${j.major} (${j.home})`).join(', ') || 'none';
    throw new PrerequisiteError(
      `No JDK that Elasticsearch ${cfg.esVersion} runs on (Java 17–24) was found; JDKs seen: ${seen}.`,
      'Install one (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless), point ES_JAVA_HOME at it, or set ELASTICSEARCH_URL to a running cluster.',
    );
  }
  const dist = ensureDistribution(cfg.esVersion, log);
  if (!existsSync(p.conf)) cpSync(join(dist, 'config'), p.conf, { recursive: true });
  for (const dir of [p.data, p.tmp]) ensureDir(dir);
  const user = esUser(log);
  if (user) for (const dir of [varDir('es'), p.logs]) chownTree(dir, user.uid, user.gid);

  log(`starting Elasticsearch ${cfg.esVersion} on ${url} (Java ${jdk.major}, heap ${cfg.esHeap})`);
  const settings = {
    'cluster.name': 'soc-local',
    'node.name': 'soc-local-1',
    'discovery.type': 'single-node',
    'network.host': cfg.host,
    'http.port': String(cfg.esPort),
    'transport.port': String(cfg.esTransportPort),
    'path.data': p.data,
    'path.logs': p.logs,
    'xpack.security.enabled': 'false',
    // A developer's disk is often fuller than a server's; do not turn indices read-only under us.
    'cluster.routing.allocation.disk.threshold_enabled': 'false',
  };
  const pid = startDaemon({
    name: 'elasticsearch',
    command: join(dist, 'bin', 'elasticsearch'),
    args: Object.entries(settings).flatMap(([k, v]) => ['-E', `${k}=${v}`]),
    logFile: p.log,
    pidFile: p.pid,
    marker: p.conf,
    cwd: dist,
    uid: user?.uid,
    gid: user?.gid,
    env: {
      PATH: process.env.PATH,
      HOME: p.tmp,
      ES_JAVA_HOME: jdk.home,
      ES_PATH_CONF: p.conf,
      ES_TMPDIR: p.tmp,
      ES_JAVA_OPTS: `-Xms${cfg.esHeap} -Xmx${cfg.esHeap}`,
    },
  });
  await waitUntil(() => healthy(url), { timeoutMs, pid, what: 'Elasticsearch', logFile: p.log });
  return { url, started: true };
}

export async function elasticsearchDown(cfg: StackConfig): Promise<boolean> {
  const p = paths(cfg.esVersion);
  return stopDaemon(p.pid, p.conf, 60_000);
}

export async function elasticsearchStatus(cfg: StackConfig): Promise<ComponentStatus> {
  const external = externalUrl();
  const url = external ?? `http://${cfg.host}:${cfg.esPort}`;
  const answering = await healthy(url).catch(() => false);
  if (external) return { name: 'elasticsearch', url, answering, external: true };
  const p = paths(cfg.esVersion);
  return { name: 'elasticsearch', pid: runningPid(p.pid, p.conf), url, answering, log: p.log };
}

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Jdk {
  home: string;
  major: number;
}

function majorOf(home: string): number | undefined {
  const java = join(home, 'bin', 'java');
  if (!existsSync(java)) return undefined;
  const r = spawnSync(java, ['-version'], { encoding: 'utf8' });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 ? Number(m[2]) : first;
}

function javaOnPath(): string | undefined {
  const r = spawnSync('sh', ['-c', 'readlink -f "$(command -v java)"'], { encoding: 'utf8' });
  const bin = r.status === 0 ? r.stdout.trim() : '';
  return bin.endsWith('/bin/java') ? bin.slice(0, -'/bin/java'.length) : undefined;
}

/** Every JDK we can see: explicit homes first, then the distro's JVM directory. */
export function findJdks(env: NodeJS.ProcessEnv = process.env): Jdk[] {
  const homes = new Set<string>();
  for (const h of [env.ES_JAVA_HOME, env.JAVA_HOME, javaOnPath()]) if (h) homes.add(h);
  for (const root of ['/usr/lib/jvm', '/opt/java', '/usr/local/lib/jvm']) {
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root)) homes.add(join(root, name));
  }
  const jdks: Jdk[] = [];
  const seen = new Set<number>();
  for (const home of homes) {
    const major = majorOf(home);
    if (major !== undefined && !seen.has(major)) {
      jdks.push({ home, major });
      seen.add(major);
    }
  }
  return jdks;
}

/**
 * Elasticsearch 8.19 supports Java 17 to 24. An explicit ES_JAVA_HOME wins; otherwise the
 * newest supported LTS (21, then 17), then any supported version.
 */
export function pickJdkForElasticsearch(jdks: Jdk[], env: NodeJS.ProcessEnv = process.env): Jdk | undefined {
  if (env.ES_JAVA_HOME) return jdks.find((j) => j.home === env.ES_JAVA_HOME);
  const supported = jdks.filter((j) => j.major >= 17 && j.major <= 24);
  return (
    supported.find((j) => j.major === 21) ??
    supported.find((j) => j.major === 17) ??
    supported.sort((a, b) => b.major - a.major)[0]
  );
}

/**
 * Environment variables → a nested object.
 *
 * `SOC_NATS__URL` sets `nats.url`; a double underscore nests, a single one becomes camelCase
 * (`SOC_ELASTICSEARCH__REQUEST_TIMEOUT_MS` → `elasticsearch.requestTimeoutMs`). A few
 * well-known names from the wider ecosystem (`NATS_URL`, `ELASTICSEARCH_URL`) are aliases.
 */
export const ENV_PREFIX = 'SOC_';

export const ENV_ALIASES: Readonly<Record<string, string>> = {
  NATS_URL: 'nats.url',
  ELASTICSEARCH_URL: 'elasticsearch.url',
  LOG_LEVEL: 'log.level',
};

export interface EnvValues {
  values: Record<string, unknown>;
  /** dotted key → the variable that set it, for error messages. */
  sources: Map<string, string>;
}

function camel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function envKeyToPath(name: string): string | undefined {
  if (name in ENV_ALIASES) return ENV_ALIASES[name];
  if (!name.startsWith(ENV_PREFIX) || name === `${ENV_PREFIX}CONFIG`) return undefined;
  const segments = name.slice(ENV_PREFIX.length).split('__').filter(Boolean);
  return segments.length ? segments.map(camel).join('.') : undefined;
}

export function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

export function readEnv(env: NodeJS.ProcessEnv): EnvValues {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  // Prefixed names win over aliases, so apply aliases first.
  const names = Object.keys(env).sort(
    (a, b) => Number(a.startsWith(ENV_PREFIX)) - Number(b.startsWith(ENV_PREFIX)),
  );
  for (const name of names) {
    const path = envKeyToPath(name);
    const raw = env[name];
    if (!path || raw === undefined) continue;
    setPath(values, path, raw);
    sources.set(path, `env ${name}`);
  }
  return { values, sources };
}

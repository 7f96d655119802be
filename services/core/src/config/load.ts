import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { readEnv } from './env.ts';
import { ConfigError, type ConfigProblem } from './errors.ts';
import { mergeLayers } from './merge.ts';
import { unknownKeys } from './shape.ts';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** A YAML or JSON file; defaults to `$SOC_CONFIG` when set. */
  file?: string;
}

export interface LoadedConfig<T> {
  config: T;
  /** Prefixed environment variables that no key of this service reads (shared env is normal). */
  ignoredEnv: string[];
}

function readFileLayer(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ key: '(file)', source: `file ${file}`, message: (err as Error).message }]);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    // The parser's message quotes the offending line, which may hold a secret: keep its position only.
    const pos = err instanceof YAMLParseError ? err.linePos?.[0] : undefined;
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    const code = err instanceof YAMLParseError ? ` (${err.code})` : '';
    throw new ConfigError([
      { key: '(file)', source: `file ${file}`, message: `invalid YAML${where}${code}` },
    ]);
  }
  if (parsed == null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([
      { key: '(file)', source: `file ${file}`, message: 'expected a mapping at the top level' },
    ]);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Defaults (in the schema) < file < environment. Every problem is reported at once, each
 * naming the key and where its value came from, so an operator fixes them in one pass.
 * Values are never echoed: a bad key may hold a secret.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  options: LoadConfigOptions = {},
): LoadedConfig<z.output<S>> {
  const env = options.env ?? process.env;
  const file = options.file ?? env.SOC_CONFIG;
  const fileLayer = file ? readFileLayer(file) : {};
  const envLayer = readEnv(env);
  const merged = mergeLayers(fileLayer, envLayer.values);

  const sourceOf = (key: string): string => {
    for (let k = key; k; k = k.includes('.') ? k.slice(0, k.lastIndexOf('.')) : '') {
      const s = envLayer.sources.get(k);
      if (s) return s;
    }
    return file && hasPath(fileLayer, key) ? `file ${file}` : 'default';
  };

  const result = schema.safeParse(merged);
  const problems: ConfigProblem[] = result.success
    ? []
    : result.error.issues.map((issue) => {
        const key = issue.path.map(String).join('.') || '(root)';
        return { key, source: sourceOf(key), message: issue.message };
      });
  // A typo in a file is an error; an env var may belong to another service sharing the env.
  for (const key of unknownKeys(schema, fileLayer))
    problems.push({ key, source: `file ${file}`, message: 'unknown key' });
  if (problems.length || !result.success) throw new ConfigError(problems);

  const unknownEnv = unknownKeys(schema, envLayer.values);
  const ignoredEnv = [...envLayer.sources]
    .filter(([path]) => unknownEnv.some((k) => path === k || path.startsWith(`${k}.`)))
    .map(([, source]) => source);
  return { config: result.data, ignoredEnv };
}

function hasPath(obj: Record<string, unknown>, dotted: string): boolean {
  let node: unknown = obj;
  for (const part of dotted.split('.')) {
    if (typeof node !== 'object' || node === null || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}

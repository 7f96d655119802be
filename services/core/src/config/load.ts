import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { readEnv } from './env.ts';
import { ConfigError, type ConfigProblem } from './errors.ts';
import { mergeLayers, unknownKeys } from './merge.ts';

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
    throw new ConfigError([{ key: '(file)', source: `file ${file}`, message: (err as Error).message }]);
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
  if (!result.success) {
    const problems: ConfigProblem[] = result.error.issues.map((issue) => {
      const key = issue.path.map(String).join('.') || '(root)';
      return { key, source: sourceOf(key), message: issue.message };
    });
    throw new ConfigError(problems);
  }

  // A typo in a file is an error; an env var may belong to another service sharing the env.
  const fileUnknown = unknownKeys(fileLayer, result.data);
  if (fileUnknown.length) {
    throw new ConfigError(
      fileUnknown.map((key) => ({ key, source: `file ${file}`, message: 'unknown key' })),
    );
  }
  const ignoredEnv = unknownKeys(envLayer.values, result.data).map((k) => envLayer.sources.get(k) ?? k);
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

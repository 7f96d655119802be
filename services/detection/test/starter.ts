import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

export const ROOT = join(import.meta.dirname, '../../..');
export const RULES_DIR = join(ROOT, 'rules/sigma');

const line = z.union([z.string(), z.record(z.string(), z.unknown())]);
export const starterSchema = z.object({
  cases: z.array(
    z.object({
      rule: z.string(),
      also: z.array(z.string()).default([]),
      file: z.string(),
      format: z.enum(['lines', 'json']),
      true_positive: z.array(line).min(1),
      benign: z.array(line).min(1),
    }),
  ),
});
export type StarterCase = z.output<typeof starterSchema>['cases'][number];

/** The starter rules' fixtures (rules/fixtures/starter.yml). */
export function starterCases(): StarterCase[] {
  return starterSchema.parse(parse(readFileSync(join(ROOT, 'rules/fixtures/starter.yml'), 'utf8'))).cases;
}

/** A fixture entry as the endpoint agent ships it: a text line or a parsed JSON object. */
export function agentBody(
  c: StarterCase,
  entry: string | Record<string, unknown>,
): { line?: string; event?: Record<string, unknown>; path: string } {
  const path = `/var/log/soc-demo/${c.file}`;
  return typeof entry === 'string' ? { line: entry, path } : { event: entry, path };
}

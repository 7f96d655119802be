/**
 * Test support: the SigmaHQ corpus (rules, regression data, tests/thor.yml) the pipeline
 * tests read. It lives outside the repository (../shared/sigmahq, or SIGMA_CORPUS); tests
 * that need it are skipped, saying why, when it is missing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { parseJsonValues } from '../event/json-stream.ts';
import type { Logsource } from './types.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const CORPUS = resolve(process.env.SIGMA_CORPUS ?? join(REPO_ROOT, '../shared/sigmahq'));
export const HAS_CORPUS = existsSync(join(CORPUS, 'tests', 'thor.yml'));
/** Appended to the title of a test that needs the corpus, so a skip says why. */
export const CORPUS_NOTE = HAS_CORPUS ? '' : ` (skipped: no SigmaHQ corpus at ${CORPUS}; set SIGMA_CORPUS)`;

export const RULE_ROOTS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance'];

function filesUnder(dir: string, ext: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => ext.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Every `logsource` block of the rules under `sub` (relative to the corpus), with one file using it. */
export function ruleLogsources(subdirs: string[]): Map<string, { logsource: Logsource; file: string }> {
  const out = new Map<string, { logsource: Logsource; file: string }>();
  for (const sub of subdirs) {
    for (const file of filesUnder(join(CORPUS, sub), /\.ya?ml$/)) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const ls = (doc.toJS() as { logsource?: Logsource } | null)?.logsource;
        if (!ls) continue;
        const key = JSON.stringify({ category: ls.category, product: ls.product, service: ls.service });
        if (!out.has(key)) out.set(key, { logsource: ls, file });
      }
    }
  }
  return out;
}

export interface RegressionSample {
  /** Path of the sample under regression_data. */
  file: string;
  /** The rule the sample must trigger (same path as the sample's folder, under the corpus). */
  logsource: Logsource;
  events: unknown[];
}

/** The regression samples whose rule file is found (a sample file may hold several events). */
export function regressionSamples(): RegressionSample[] {
  const base = join(CORPUS, 'regression_data');
  const out: RegressionSample[] = [];
  for (const file of filesUnder(base, /\.json$/)) {
    const ruleFile = `${join(CORPUS, dirname(file.slice(base.length + 1)))}.yml`;
    if (!existsSync(ruleFile)) continue;
    const rule = parse(readFileSync(ruleFile, 'utf8')) as { logsource: Logsource };
    out.push({
      file: file.slice(base.length + 1),
      logsource: rule.logsource,
      events: [...parseJsonValues(readFileSync(file, 'utf8'))],
    });
  }
  return out;
}

/** The first regression event whose System block matches. */
export function findEvent(
  samples: RegressionSample[],
  test: (system: Record<string, unknown>) => boolean,
): unknown {
  for (const s of samples) {
    for (const e of s.events) {
      const system = (e as { Event?: { System?: Record<string, unknown> } }).Event?.System;
      if (system && test(system)) return e;
    }
  }
  return undefined;
}

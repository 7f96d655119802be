import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { listRuleFiles, parseSigmaFile } from '../src/rule/load.ts';
import type { RuleProblem, SigmaDocument } from '../src/rule/model.ts';

/** The SigmaHQ corpus is test data kept outside the project: `SIGMA_CORPUS`, else `../shared/sigmahq`. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CORPUS = resolve(process.env.SIGMA_CORPUS ?? join(repoRoot, '../shared/sigmahq'));
export const hasCorpus = existsSync(join(CORPUS, 'rules'));
export const corpusSkip = hasCorpus ? '' : ` [skipped: no Sigma corpus at ${CORPUS}; set SIGMA_CORPUS]`;

export function ruleDirs(): string[] {
  return readdirSync(CORPUS)
    .filter((d) => d.startsWith('rules'))
    .map((d) => join(CORPUS, d));
}

export function loadCorpus(): { documents: SigmaDocument[]; problems: RuleProblem[]; files: number } {
  const files = listRuleFiles(ruleDirs());
  const documents: SigmaDocument[] = [];
  const problems: RuleProblem[] = [];
  for (const f of files) {
    const r = parseSigmaFile(f);
    documents.push(...r.documents);
    problems.push(...r.problems);
  }
  return { documents, problems, files: files.length };
}

export interface RegressionCase {
  dir: string;
  ruleId: string;
  title: string;
  matchCount: number | undefined;
  eventsFile: string;
}

export function regressionCases(): RegressionCase[] {
  const out: RegressionCase[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === 'info.yml') {
        const info = parse(readFileSync(p, 'utf8')) as {
          rule_metadata: { id: string; title: string }[];
          regression_tests_info?: { match_count?: number }[];
        };
        const json = readdirSync(dir).find((n) => n.endsWith('.json'));
        if (!json) continue;
        const meta = info.rule_metadata[0]!;
        out.push({
          dir,
          ruleId: meta.id,
          title: meta.title,
          matchCount: info.regression_tests_info?.[0]?.match_count,
          eventsFile: join(dir, json),
        });
      }
    }
  };
  walk(join(CORPUS, 'regression_data'));
  return out.sort((a, b) => a.dir.localeCompare(b.dir));
}

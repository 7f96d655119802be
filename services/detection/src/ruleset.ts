import { createHash } from 'node:crypto';
import type { RuleState } from '@soc/core';
import {
  CorrelationEngine,
  formatProblem,
  listRuleFiles,
  loadPipeline,
  type Pipeline,
  parseSigmaFile,
  parseSigmaText,
  type SigmaCorrelation,
  type SigmaDocument,
  SigmaEngine,
  type SigmaRule,
} from '@soc/sigma';
import { compileExceptions, type ExceptionMatcher } from './exceptions.ts';

/** A rule's or correlation's stable key: its id, else its name, else where it was read. */
export function ruleKey(doc: SigmaRule | SigmaCorrelation): string {
  return doc.id ?? doc.name ?? `${doc.origin.file}#${doc.origin.document}`;
}

export interface RuleSetInput {
  /** Documents of the project's own rule files (defaults, version 1 unless the index says otherwise). */
  files: SigmaDocument[];
  /** Rule state documents of the rules index: enabled, exceptions, version, and imported sources. */
  states: RuleState[];
}

/**
 * One immutable generation of rules: the compiled Sigma engine, the correlation set, the
 * per-rule versions and exceptions. Hot reload builds a new generation and swaps it in
 * between two batches, so every event is evaluated by exactly one generation.
 */
export class RuleSet {
  readonly engine: SigmaEngine;
  /** Used for `uses`/`emits` only; the partition owners keep their own engines with state. */
  readonly correlation: CorrelationEngine;
  readonly rules: SigmaRule[] = [];
  readonly correlations: SigmaCorrelation[] = [];
  readonly versions = new Map<string, number>();
  readonly exceptions = new Map<string, ExceptionMatcher>();
  readonly problems: string[] = [];
  /** Changes whenever what is evaluated changes: reloads compare it. */
  readonly fingerprint: string;

  constructor(
    readonly pipeline: Pipeline,
    input: RuleSetInput,
  ) {
    const states = new Map(input.states.map((s) => [s.id, s]));
    const docs: (SigmaRule | SigmaCorrelation)[] = [];
    const seen = new Set<string>();
    for (const d of input.files) {
      if (d.kind === 'filter') continue;
      const key = ruleKey(d);
      const st = states.get(key);
      // The index's copy wins when it carries its own source (an edited or imported rule),
      // not when it is the registration of this very file rule.
      if (st?.source && !st.file) continue;
      seen.add(key);
      docs.push(d);
    }
    for (const st of input.states) {
      // A registered file rule whose file is gone is gone too.
      if (!st.source || st.file || seen.has(st.id)) continue;
      const parsed = parseSigmaText(st.source, `rules-index:${st.id}`);
      for (const p of parsed.problems) this.problems.push(formatProblem(p));
      for (const d of parsed.documents) if (d.kind !== 'filter') docs.push(d);
    }
    const hash = createHash('sha256');
    this.engine = new SigmaEngine({ pipeline });
    for (const d of docs) {
      const key = ruleKey(d);
      const st = states.get(key);
      if (st && !st.enabled) continue;
      this.versions.set(key, st?.version ?? 1);
      hash.update(`${key}@${st?.version ?? 0};`);
      if (st?.exceptions.length) this.exceptions.set(key, compileExceptions(st.exceptions));
      if (d.kind === 'rule') {
        this.rules.push(d);
        const status = this.engine.add(d);
        if (status.state === 'rejected') this.problems.push(`${d.origin.file}: ${d.title}: ${status.reason}`);
      } else this.correlations.push(d);
    }
    this.correlation = new CorrelationEngine({
      correlations: this.correlations,
      rules: this.rules,
      pipeline,
    });
    for (const p of this.correlation.problems) this.problems.push(formatProblem(p));
    this.fingerprint = hash.digest('hex').slice(0, 16);
  }

  version(doc: SigmaRule | SigmaCorrelation): number {
    return this.versions.get(ruleKey(doc)) ?? 1;
  }
}

/** Reads every Sigma document of the given folders/files; bad files are reported, never fatal. */
export function readRuleFiles(paths: string[]): { documents: SigmaDocument[]; problems: string[] } {
  const documents: SigmaDocument[] = [];
  const problems: string[] = [];
  let files: string[] = [];
  try {
    files = listRuleFiles(paths);
  } catch (err) {
    problems.push((err as Error).message);
  }
  for (const f of files) {
    const r = parseSigmaFile(f);
    documents.push(...r.documents);
    problems.push(...r.problems.map(formatProblem));
  }
  return { documents, problems };
}

export function pipelineFor(name: string): Pipeline {
  return loadPipeline(name);
}

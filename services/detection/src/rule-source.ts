import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { type Logger, type RuleState, ruleStateSchema } from '@soc/core';
import { listRuleFiles, type Pipeline } from '@soc/sigma';
import { registerFileRules } from './register.ts';
import { RuleSet, readRuleFiles } from './ruleset.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/**
 * Where rules come from: the project's rule files (defaults) and the rules index (what the
 * API and `soc rules import` write: enabled, exceptions, versions, imported sources). `poll`
 * builds a new generation only when either changed: file mtimes or any document's version.
 */
export class RuleSource {
  #signature = '';
  /** The file signature last registered in the index. */
  #registered = '';
  readonly paths: string[];

  constructor(
    private readonly es: Client,
    private readonly index: string,
    paths: string[],
    private readonly pipeline: Pipeline,
    private readonly logger: Logger,
    /** Register file rules in the index (the service does; a one-off hunt need not). */
    private readonly register = true,
  ) {
    this.paths = paths.map((p) => (isAbsolute(p) ? p : resolve(REPO_ROOT, p)));
  }

  async #states(): Promise<RuleState[]> {
    const out: RuleState[] = [];
    if (!(await this.es.indices.exists({ index: this.index }))) return out;
    for await (const d of this.es.helpers.scrollDocuments({
      index: this.index,
      size: 1000,
      query: { match_all: {} },
    })) {
      const p = ruleStateSchema.safeParse(d);
      if (p.success) out.push(p.data);
      else this.logger.warn({ id: (d as { id?: unknown }).id }, 'rule state document invalid; skipped');
    }
    return out;
  }

  #fileSignature(): string {
    try {
      return listRuleFiles(this.paths)
        .map((f) => `${f}:${statSync(f).mtimeMs}`)
        .join(';');
    } catch {
      return 'unreadable';
    }
  }

  /** A new generation when something changed since the last call, else undefined. */
  async poll(force = false): Promise<RuleSet | undefined> {
    let states = await this.#states();
    const fileSignature = this.#fileSignature();
    const signature = (st: RuleState[]) =>
      `${fileSignature}|${st.map((s) => `${s.id}@${s.version}:${s.enabled}`).join(',')}`;
    if (!force && signature(states) === this.#signature) return undefined;
    const files = readRuleFiles(this.paths);
    if (this.register && fileSignature !== this.#registered) {
      try {
        const written = await registerFileRules(this.es, this.index, files.documents, states, REPO_ROOT);
        if (written) {
          this.logger.info({ written }, 'file rules registered in the rules index');
          states = await this.#states();
        }
        this.#registered = fileSignature;
      } catch (err) {
        // Detection runs the files regardless; the API just does not list them yet.
        this.logger.warn({ err }, 'file rules not registered in the rules index; will retry');
      }
    }
    const rs = new RuleSet(this.pipeline, { files: files.documents, states });
    const problems = [...files.problems, ...rs.problems];
    if (problems.length)
      this.logger.warn(
        { problems: problems.slice(0, 20), count: problems.length },
        'rules with problems were not loaded',
      );
    this.#signature = signature(states);
    this.logger.info(
      { rules: rs.rules.length, correlations: rs.correlations.length, fingerprint: rs.fingerprint },
      'rules loaded',
    );
    return rs;
  }
}

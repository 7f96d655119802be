import {
  type CompiledCorrelation,
  pipelineFieldReader,
  type SigmaCorrelation,
  type SigmaRule,
} from '@soc/sigma';
import type { RuleSet } from './ruleset.ts';

/**
 * How correlation state is partitioned across detection processes.
 *
 * A *family* is a correlation whose matches are output, with every correlation it chains. A
 * base-rule match a family consumes is routed to partition
 *   fnv1a(family key + JSON of the group-by values the family's first consuming correlation
 *         reads from the event) mod partitions
 * and published on `<subjectPrefix>.<partition>` (the DETECTION stream). Each partition has
 * exactly one owner process, whose own durable consumer reads it in stream order; so every
 * window of a group lives in one place, and any number of processes can share the stateless
 * first stage. A chained family is correct across partitions when its outer correlations group
 * by the same fields as the inner ones (the usual case); with one partition, always.
 */
export interface Family {
  key: string;
  correlations: SigmaCorrelation[];
  /** Per base rule the family consumes: the fields of the group key. */
  groupFields: Map<SigmaRule, string[]>;
}

export function families(rs: RuleSet): Family[] {
  const compiled = rs.correlation.correlations;
  const out: Family[] = [];
  for (const cc of compiled) {
    if (!cc.output) continue;
    const members: CompiledCorrelation[] = [];
    const visit = (c: CompiledCorrelation) => {
      if (members.includes(c)) return;
      members.push(c);
      for (const t of c.targets) if (t.kind === 'correlation') visit(compiled[t.index]!);
    };
    visit(cc);
    const groupFields = new Map<SigmaRule, string[]>();
    // innermost first: the correlation that reads the base rule decides its group key
    for (const m of [...members].reverse())
      m.targets.forEach((t, i) => {
        if (t.kind === 'rule' && !groupFields.has(t.rule)) groupFields.set(t.rule, m.groupFields[i]!);
      });
    out.push({ key: cc.key, correlations: members.map((m) => m.correlation), groupFields });
  }
  return out;
}

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Routes base-rule matches to the partitions of the families that consume them. */
export class Router {
  readonly #families: Family[];
  readonly #read;
  constructor(
    rs: RuleSet,
    private readonly partitions: number,
  ) {
    this.#families = families(rs);
    this.#read = pipelineFieldReader(rs.pipeline);
  }

  route(rule: SigmaRule, doc: unknown): { family: string; partition: number }[] {
    const out: { family: string; partition: number }[] = [];
    for (const f of this.#families) {
      const fields = f.groupFields.get(rule);
      if (!fields) continue;
      const values = fields.map((field) => this.#read(rule, doc, field)[0] ?? null);
      out.push({
        family: f.key,
        partition: fnv1a(`${f.key}\u0000${JSON.stringify(values)}`) % this.partitions,
      });
    }
    return out;
  }
}

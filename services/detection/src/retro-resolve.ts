import type { Client } from '@elastic/elasticsearch';
import { type RuleState, ruleStateSchema } from '@soc/core';
import { parseSigmaText, type SigmaCorrelation, type SigmaRule } from '@soc/sigma';
import { compileExceptions } from './exceptions.ts';
import type { HuntPool } from './retro-correlation.ts';

/** The names and ids a correlation's `rules:` list refers to. */
export function references(c: SigmaCorrelation): string[] {
  const r = c.doc.correlation.rules;
  return Array.isArray(r) ? r : [r];
}

/**
 * The documents of the rules index a correlation refers to, through its chains, with their
 * exceptions and versions: what `planCorrelationHunt` resolves against where only the index is
 * at hand (the API; detection's own files are registered in it). Only enabled rules, as the
 * stream loads them: a correlation over a switched-off rule cannot fire live, nor in a hunt.
 * The index holds one document per rule but no field for its name, so every state is read and
 * only sources that mention a wanted name are parsed (a pack of thousands costs one scan).
 */
export async function loadHuntPool(
  es: Client,
  rulesIndex: string,
  target: SigmaCorrelation,
): Promise<HuntPool> {
  const states: RuleState[] = [];
  for await (const d of es.helpers.scrollDocuments({
    index: rulesIndex,
    size: 1000,
    query: { term: { enabled: true } },
  })) {
    const p = ruleStateSchema.safeParse(d);
    if (p.success && p.data.enabled) states.push(p.data);
  }
  const rules: SigmaRule[] = [];
  const correlations: SigmaCorrelation[] = [];
  const meta = new Map<SigmaRule | SigmaCorrelation, RuleState>();
  const wanted = new Set(references(target));
  const taken = new Set<string>([target.id ?? '']);
  for (let grew = true; grew; ) {
    grew = false;
    for (const st of states) {
      if (taken.has(st.id) || ![...wanted].some((n) => st.id === n || st.source.includes(n))) continue;
      for (const d of parseSigmaText(st.source, `rules-index:${st.id}`).documents) {
        if (d.kind === 'filter') continue;
        if (!wanted.has(d.id ?? '') && !wanted.has(d.name ?? '')) continue;
        // only once it is wanted: a source that merely mentions a name may be wanted later in the chain
        taken.add(st.id);
        meta.set(d, st);
        if (d.kind === 'rule') rules.push(d);
        else {
          correlations.push(d);
          for (const n of references(d)) {
            if (wanted.has(n)) continue;
            wanted.add(n);
            grew = true;
          }
        }
      }
    }
  }
  const exceptions = new Map(
    [...meta]
      .filter(([, st]) => st.exceptions.length)
      .map(([d, st]) => [d, compileExceptions(st.exceptions)]),
  );
  return {
    rules,
    correlations,
    exceptions: (r) => exceptions.get(r),
    version: (c) => meta.get(c)?.version ?? 1,
  };
}

import { CorrelationEngine } from '@soc/sigma';
import { eventMs } from './alert.ts';
import { type RuleSet, ruleKey } from './ruleset.ts';

export interface LocalMatch {
  rule: string;
  title: string;
  /** Indices of the events (in input order) behind the match. */
  events: number[];
}

/**
 * Evaluates ECS documents in one process, without NATS or Elasticsearch: the rules, their
 * exceptions and the correlations exactly as the service applies them (fresh windows). For
 * rule tests (`soc rules test`, the starter set's fixtures) and for a retro-hunt's check.
 */
export function evaluateLocally(rs: RuleSet, docs: Record<string, unknown>[]): LocalMatch[] {
  const out: LocalMatch[] = [];
  const corr = new CorrelationEngine({
    correlations: rs.correlations,
    rules: rs.rules,
    pipeline: rs.pipeline,
  });
  docs.forEach((doc, i) => {
    for (const rule of rs.engine.match(doc)) {
      const key = ruleKey(rule);
      if (rs.exceptions.get(key)?.(doc)) continue;
      if (corr.emits(rule)) out.push({ rule: key, title: rule.title, events: [i] });
      for (const m of corr.observe({ rule, event: doc, ref: i, time: eventMs(doc, 0) }))
        out.push({ rule: ruleKey(m.correlation), title: m.correlation.title, events: m.events.map(Number) });
    }
  });
  for (const m of corr.flush())
    out.push({ rule: ruleKey(m.correlation), title: m.correlation.title, events: m.events.map(Number) });
  return out;
}

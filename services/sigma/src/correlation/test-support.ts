/** Helpers for the correlation tests: rules from YAML text, events through the real SigmaEngine. */
import { SigmaEngine } from '../engine.ts';
import { eventTime, type Pipeline } from '../pipeline/index.ts';
import { parseSigmaText } from '../rule/load.ts';
import type { SigmaCorrelation, SigmaRule } from '../rule/model.ts';
import { CorrelationEngine } from './engine.ts';
import type { CorrelationLimits, CorrelationMatch } from './types.ts';

export const T0 = Date.parse('2024-05-01T00:00:00Z');

/** An event at `seconds` after T0 with these fields. */
export function ev(seconds: number, fields: Record<string, unknown>): Record<string, unknown> {
  return { '@timestamp': new Date(T0 + seconds * 1000).toISOString(), ...fields };
}

/** A base rule named `name` that matches events whose `kind` field is `name`. */
export function rule(name: string, extra = ''): string {
  return `title: ${name}\nname: ${name}\nlogsource: {product: test}\ndetection:\n  sel:\n    kind: ${name}\n  condition: sel\n${extra}`;
}

export function load(...docs: string[]) {
  const loaded = parseSigmaText(docs.join('\n---\n'), 'test.yml');
  if (loaded.problems.length) throw new Error(JSON.stringify(loaded.problems));
  const rules = loaded.documents.filter((d): d is SigmaRule => d.kind === 'rule');
  const correlations = loaded.documents.filter((d): d is SigmaCorrelation => d.kind === 'correlation');
  return { rules, correlations };
}

export interface Run {
  engine: CorrelationEngine;
  /** Correlation matches in emission order, flush included. */
  matches: CorrelationMatch[];
  /** Base-rule lines that would be output: [rule name, event index]. */
  base: [string, number][];
  feed(events: unknown[]): CorrelationMatch[];
}

/** Builds the engines from YAML documents; `feed` evaluates events as `soc sigma eval` does (no flush). */
export function setup(
  docs: string[],
  limits: Partial<CorrelationLimits> = {},
  pipeline?: Pipeline,
  firstRef = 0,
): Run {
  const { rules, correlations } = load(...docs);
  const sigma = new SigmaEngine({ pipeline });
  for (const r of rules) sigma.add(r);
  const engine = new CorrelationEngine({ correlations, rules, limits, pipeline });
  if (engine.problems.length) throw new Error(JSON.stringify(engine.problems));
  let n = firstRef;
  const run: Run = {
    engine,
    matches: [],
    base: [],
    feed(events) {
      const got: CorrelationMatch[] = [];
      for (const event of events) {
        for (const r of sigma.match(event)) {
          if (engine.emits(r)) run.base.push([r.name ?? r.title, n]);
          got.push(...engine.observe({ rule: r, event, ref: n, time: eventTime(pipeline, event) }));
        }
        n++;
      }
      run.matches.push(...got);
      return got;
    },
  };
  return run;
}

/** Feeds the events, flushes, returns every correlation match. */
export function evaluate(docs: string[], events: unknown[], limits: Partial<CorrelationLimits> = {}): Run {
  const run = setup(docs, limits);
  run.feed(events);
  run.matches.push(...run.engine.flush());
  return run;
}

export function correlation(body: string, head = 'title: corr'): string {
  return `${head}\ncorrelation:\n${body
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}`;
}

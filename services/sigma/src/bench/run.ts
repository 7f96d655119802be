/**
 * The engine benchmark behind `soc sigma bench`: compile a rule set, then evaluate at least
 * a million realistic events (see `events.ts`) and report events/s, compile time and memory.
 * Events are generated in batches outside the timed loop and pass through JSON text first,
 * as they would arrive from the wire, so no string is shared between events.
 */
import { readFileSync } from 'node:fs';
import { SigmaEngine } from '../engine.ts';
import { parseJsonValues } from '../event/json-stream.ts';
import type { Pipeline } from '../pipeline/index.ts';
import type { SigmaRule } from '../rule/model.ts';
import { mutateEvent } from './events.ts';

export interface BenchOptions {
  rules: SigmaRule[];
  pipeline: Pipeline;
  /** Files of concatenated JSON events to vary (the regression samples). */
  sampleFiles: string[];
  events: number;
  batch?: number;
  prefilter?: boolean;
  /** Called after each batch, e.g. for progress. */
  progress?: (done: number, total: number) => void;
}

export interface BenchResult {
  rules: number;
  activeRules: number;
  samples: number;
  events: number;
  matches: number;
  compileMs: number;
  /** Over the whole run: events / time spent in `match`. */
  eventsPerSecond: number;
  /** Median of the per-batch rates: less sensitive to a noisy neighbour. */
  medianBatchEventsPerSecond: number;
  /**
   * Events per second of CPU time spent in `match` (user + system, all threads of the
   * process): what one core does, whatever else the machine is running.
   */
  eventsPerCpuSecond: number;
  /** Full rule evaluations per event after the pre-filter. */
  evaluationsPerEvent: number;
  heapAfterCompileMb: number;
  peakRssMb: number;
}

const mb = (n: number) => Math.round(n / 1048576);

export function runBench(o: BenchOptions): BenchResult {
  const samples = o.sampleFiles.flatMap((f) => [...parseJsonValues(readFileSync(f, 'utf8'))]);
  if (samples.length === 0) throw new Error('no sample events to vary');
  let peakRss = process.memoryUsage().rss;
  const t0 = performance.now();
  const engine = new SigmaEngine({ pipeline: o.pipeline, prefilter: o.prefilter });
  for (const r of o.rules) engine.add(r);
  engine.match(samples[0]); // builds the per-source indexes: part of compiling
  const compileMs = performance.now() - t0;
  globalThis.gc?.();
  const heapAfterCompile = process.memoryUsage().heapUsed;

  const batch = o.batch ?? 10_000;
  const rates: number[] = [];
  let matchMs = 0;
  let cpuUs = 0;
  let matches = 0;
  let done = 0;
  while (done < o.events) {
    const n = Math.min(batch, o.events - done);
    const text = Array.from({ length: n }, (_, i) =>
      JSON.stringify(mutateEvent(samples[(done + i) % samples.length], done + i)),
    ).join('\n');
    const events = [...parseJsonValues(text)];
    const cpu = process.cpuUsage();
    const a = performance.now();
    for (const e of events) matches += engine.match(e).length;
    const ms = performance.now() - a;
    const used = process.cpuUsage(cpu);
    cpuUs += used.user + used.system;
    matchMs += ms;
    rates.push(n / (ms / 1000));
    done += n;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    o.progress?.(done, o.events);
  }
  rates.sort((x, y) => x - y);
  return {
    rules: o.rules.length,
    activeRules: engine.activeRules,
    samples: samples.length,
    events: done,
    matches,
    compileMs: Math.round(compileMs),
    eventsPerSecond: Math.round(done / (matchMs / 1000)),
    medianBatchEventsPerSecond: Math.round(rates[Math.floor(rates.length / 2)]!),
    eventsPerCpuSecond: Math.round(done / (cpuUs / 1e6)),
    evaluationsPerEvent: Number((engine.counters.evaluations / engine.counters.events).toFixed(2)),
    heapAfterCompileMb: mb(heapAfterCompile),
    peakRssMb: mb(peakRss),
  };
}

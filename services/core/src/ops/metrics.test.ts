import { describe, expect, it } from 'vitest';
import { Counter, createMetricsRegistry } from './metrics.ts';

describe('createMetricsRegistry', () => {
  it('labels every metric with the service, including custom ones', async () => {
    const registry = createMetricsRegistry('metrics-test');
    const counter = new Counter({ name: 'soc_test_events_total', help: 'test', registers: [registry] });
    counter.inc(2);
    const text = await registry.metrics();
    expect(text).toContain('soc_test_events_total{service="metrics-test"} 2');
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="metrics-test"\}/m);
    expect(text).toContain('nodejs_heap_size_total_bytes');
  });

  it('keeps registries of different services apart', async () => {
    const a = createMetricsRegistry('svc-a');
    const b = createMetricsRegistry('svc-b');
    new Counter({ name: 'soc_only_in_a_total', help: 'a', registers: [a] }).inc();
    expect(await a.metrics()).toContain('soc_only_in_a_total');
    const textB = await b.metrics();
    expect(textB).not.toContain('soc_only_in_a_total');
    expect(textB).not.toContain('svc-a');
  });
});

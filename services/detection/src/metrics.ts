import { Counter, Gauge, Histogram, type Registry } from '@soc/core';

export function detectionMetrics(registry: Registry) {
  return {
    events: new Counter({
      name: 'soc_detection_events_total',
      help: 'Events evaluated',
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'soc_detection_skipped_total',
      help: 'Messages not evaluated, by reason (dead letters of ingest, agent mismatch, errors)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    excepted: new Counter({
      name: 'soc_detection_excepted_total',
      help: 'Rule matches silenced by an exception',
      registers: [registry],
    }),
    alerts: new Counter({
      name: 'soc_detection_alert_writes_total',
      help: 'Alerts created or grown, by kind (rule | correlation)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'soc_detection_batch_lag_seconds',
      help: 'From the oldest event of a batch entering the stream to its batch being acked',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    stage: new Histogram({
      name: 'soc_detection_batch_stage_seconds',
      help: 'Time a batch spends per stage: evaluate (normalise + rules), write (alerts to Elasticsearch), publish (NATS)',
      labelNames: ['stage'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    rules: new Gauge({
      name: 'soc_detection_rules',
      help: 'Rules and correlations loaded',
      labelNames: ['kind'],
      registers: [registry],
    }),
    reloads: new Counter({
      name: 'soc_detection_rule_reloads_total',
      help: 'Rule generations swapped in',
      registers: [registry],
    }),
  };
}
export type DetectionMetrics = ReturnType<typeof detectionMetrics>;

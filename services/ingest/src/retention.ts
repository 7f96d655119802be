import type { Client } from '@elastic/elasticsearch';
import type { Logger } from '@soc/core';
import type { RetentionConfig } from './config.ts';
import { parseIndexName } from './layout.ts';

const DAY = 86_400_000;

/** Retention period (days) of an event: its organisation's policy, else its security level's, else the default. */
export function retentionDays(
  r: RetentionConfig,
  organizationId: string | undefined,
  level: number | undefined,
): number {
  if (organizationId && r.organizations[organizationId] !== undefined)
    return r.organizations[organizationId]!;
  const byLevel = level === undefined ? undefined : r.levels[String(level)];
  return byLevel ?? r.defaultDays;
}

/** Every period the policy can produce: one index template (and ILM policy) each. */
export function retentionClasses(r: RetentionConfig): number[] {
  return [...new Set([r.defaultDays, ...Object.values(r.levels), ...Object.values(r.organizations)])]
    .filter((d): d is number => d !== undefined)
    .sort((a, b) => a - b);
}

/**
 * Indices past their period: an index of day D with period N is deleted once D + N + 1 days
 * have passed (the whole day has aged), so an index never holds an event younger than its
 * period. The period is in the name, so the job needs no lookup and a changed policy applies
 * to new indices only.
 */
export function expiredIndices(
  prefix: string,
  indexNames: string[],
  r: RetentionConfig,
  nowMs: number,
): string[] {
  return indexNames.filter((name) => {
    const p = parseIndexName(prefix, name);
    if (!p) return false;
    const days = p.kind === 'events' ? p.days! : r.deadLetterDays;
    return p.ms + (days + 1) * DAY <= nowMs;
  });
}

/** One run of the retention job: every ingest process runs it; deleting an absent index is a no-op. */
export async function runRetention(
  es: Client,
  prefix: string,
  r: RetentionConfig,
  logger: Logger,
  nowMs = Date.now(),
): Promise<string[]> {
  const res = await es.indices.get({
    index: [`${prefix}-events-*`, `${prefix}-deadletter-*`],
    expand_wildcards: ['open', 'closed'],
    ignore_unavailable: true,
    allow_no_indices: true,
    filter_path: ['*.settings.index.provided_name'],
  });
  const expired = expiredIndices(prefix, Object.keys(res), r, nowMs);
  for (const index of expired) {
    await es.indices.delete({ index, ignore_unavailable: true });
    logger.info({ index }, 'retention: deleted an index past its period');
  }
  return expired;
}

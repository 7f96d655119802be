/**
 * Integration tests run against the real NATS and Elasticsearch that `npm test` brings up
 * and names in NATS_URL / ELASTICSEARCH_URL. Run alone without them, they skip and say why;
 * run with them set but the servers down, they fail — they never fall back to a stand-in.
 */
export interface StackUrls {
  natsUrl: string;
  elasticsearchUrl: string;
}

export const stackUrls: StackUrls | undefined =
  process.env.NATS_URL && process.env.ELASTICSEARCH_URL
    ? { natsUrl: process.env.NATS_URL, elasticsearchUrl: process.env.ELASTICSEARCH_URL }
    : undefined;

export const SKIP_REASON =
  'needs the real stack: run `npm test`, or set NATS_URL and ELASTICSEARCH_URL (soc stack up)';

/** Appended to a describe() title so a skipped suite says why in the report. */
export const needsStack = stackUrls ? '' : ` [skipped: ${SKIP_REASON}]`;

export function stack(): StackUrls {
  if (!stackUrls) throw new Error(SKIP_REASON);
  return stackUrls;
}

/** A name no other test run uses, so runs and reruns never see each other's data. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

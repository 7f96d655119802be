import type { EventBody } from '@soc/agent-shared';

/**
 * A line as the input's format says. A JSON line that does not parse to an object is shipped
 * raw with the reason, never dropped: the ingest's dead-letter index is where it is looked at.
 */
export function parseLine(format: 'lines' | 'json', text: string): EventBody {
  if (format === 'lines') return { line: text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { line: text, parseError: `invalid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { line: text, parseError: 'JSON line is not an object' };
  return { event: value as Record<string, unknown> };
}

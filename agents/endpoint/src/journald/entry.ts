import type { EventBody } from '@soc/agent-shared';

/** One journal entry as the agent ships it, and the cursor that resumes just after it. */
export interface JournalEntry {
  body: EventBody;
  cursor: string | undefined;
}

/**
 * journalctl's JSON prints a field that is not valid UTF-8 as an array of byte values, and a
 * field with several values as an array of those: bytes become text (invalid sequences as
 * U+FFFD), so every field reaches the normaliser as a string or a list of strings.
 */
function decode(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  if (value.every((b) => typeof b === 'number')) return Buffer.from(value as number[]).toString('utf8');
  return value.map(decode);
}

const CURSOR = /"__CURSOR":"([^"\\]+)"/;

/**
 * One line of `journalctl -o json`: the entry's fields as `event` (journal field names kept,
 * `MESSAGE`, `_PID`, `__REALTIME_TIMESTAMP`…). A line that is not a JSON object, or was cut at
 * `maxEntryBytes`, is shipped raw with the reason, never dropped; its cursor is used if it can
 * still be read from the text.
 */
export function parseEntry(text: string, truncated: boolean): JournalEntry {
  if (truncated)
    return {
      body: { line: text, truncated: true, parseError: 'journal entry longer than maxEntryBytes' },
      cursor: CURSOR.exec(text)?.[1],
    };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return {
      body: { line: text, parseError: `invalid JSON from journalctl: ${(err as Error).message}` },
      cursor: CURSOR.exec(text)?.[1],
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { body: { line: text, parseError: 'journalctl line is not an object' }, cursor: undefined };
  const event: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) event[k] = decode(v);
  const cursor = typeof event.__CURSOR === 'string' ? event.__CURSOR : undefined;
  return { body: { event }, cursor };
}

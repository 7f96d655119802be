/**
 * Sigma timespans (`number + lower-case unit`). The specification defines s, m, h and d; the
 * rule schema also accepts w, M and y, read here as 7, 30 and 365 days (calendar months and
 * years have no fixed length, and a window needs one).
 */
const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  M: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

/** Milliseconds of a timespan such as `5m`; throws on anything else. */
export function parseTimespan(text: string): number {
  const m = /^(\d+)([smhdwMy])$/.exec(text);
  if (!m) throw new Error(`invalid timespan ${JSON.stringify(text)}: expected a number and s, m, h or d`);
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  if (ms <= 0) throw new Error(`invalid timespan ${JSON.stringify(text)}: must be longer than 0`);
  return ms;
}

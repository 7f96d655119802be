/**
 * Event times. Sources write local times without a zone (RFC 3164 syslog, Apache error logs);
 * those are read in a configured IANA zone, by default the province's (Asia/Ho_Chi_Minh).
 */

const offsetCache = new Map<string, Intl.DateTimeFormat>();

const offsets = new Map<string, number>();

/**
 * Offset in minutes of `timeZone` at the UTC instant `utcMs` (e.g. +420 for UTC+7). Zones
 * change offset on quarter-hour boundaries at most, so the answer is cached per quarter hour:
 * `formatToParts` is the costliest step of a syslog line otherwise.
 */
export function zoneOffsetMinutes(timeZone: string, utcMs: number): number {
  const key = `${timeZone}|${Math.floor(utcMs / 900_000)}`;
  let cached = offsets.get(key);
  if (cached === undefined) {
    if (offsets.size > 10_000) offsets.clear();
    cached = computeOffset(timeZone, Math.floor(utcMs / 900_000) * 900_000);
    offsets.set(key, cached);
  }
  return cached;
}

function computeOffset(timeZone: string, utcMs: number): number {
  let fmt = offsetCache.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetCache.set(timeZone, fmt);
  }
  const p = Object.fromEntries(fmt.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/** A wall-clock time in `timeZone` as a UTC instant (ms). */
export function fromLocal(
  fields: {
    year: number;
    month: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
    ms?: number;
  },
  timeZone: string,
): number {
  const naive = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
    fields.ms ?? 0,
  );
  // Two passes settle the offset across a DST change (none in Viet Nam, but zones are configurable).
  let utc = naive - zoneOffsetMinutes(timeZone, naive) * 60_000;
  utc = naive - zoneOffsetMinutes(timeZone, utc) * 60_000;
  return utc;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

export function monthNumber(name: string): number | undefined {
  return MONTHS[name.slice(0, 3).toLowerCase()];
}

/**
 * A year-less time (RFC 3164 `Mar  1 10:00:00`) placed in the latest year that does not put it
 * in the future of when the agent read it (two days of clock skew allowed): logs are read
 * after they are written, so a December line read in January is last year's, and a March line
 * read in November is this year's, not next year's.
 */
export function yearless(
  month: number,
  day: number,
  hms: [number, number, number],
  observedMs: number,
  timeZone: string,
  ms = 0,
): number | undefined {
  const year = new Date(observedMs).getUTCFullYear();
  for (const y of [year + 1, year, year - 1]) {
    const t = fromLocal({ year: y, month, day, hour: hms[0], minute: hms[1], second: hms[2], ms }, timeZone);
    if (t <= observedMs + 2 * 86_400_000) return t;
  }
  return undefined;
}

/** An ISO 8601 / RFC 3339 time with a zone, or one without read in `timeZone`. */
export function parseIso(text: unknown, timeZone: string): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      text.trim(),
    );
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const fields = { year: +y!, month: +mo!, day: +d!, hour: +h!, minute: +mi!, second: +s!, ms };
  if (!valid(fields)) return undefined;
  if (!zone) return fromLocal(fields, timeZone);
  const naive = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
    ms,
  );
  if (zone.toUpperCase() === 'Z') return naive;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const off = sign * (Number.parseInt(digits.slice(0, 2), 10) * 60 + Number.parseInt(digits.slice(2), 10));
  return naive - off * 60_000;
}

function valid(f: { month: number; day: number; hour: number; minute: number; second: number }): boolean {
  return (
    f.month >= 1 &&
    f.month <= 12 &&
    f.day >= 1 &&
    f.day <= 31 &&
    f.hour < 24 &&
    f.minute < 60 &&
    f.second <= 60
  );
}

export function validDate(f: {
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}): boolean {
  return valid(f);
}

export function iso(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

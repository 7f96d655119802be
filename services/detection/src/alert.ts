import { createHash } from 'node:crypto';
import { type Alert, attackFromTags, levelRank } from '@soc/core';
import { valuesAtPath } from './exceptions.ts';

type Level = Alert['rule']['level'];

/** One reason to raise or grow an alert: a rule matched an event (or a correlation fired). */
export interface Hit {
  alertId: string;
  groupKey: string;
  rule: Alert['rule'];
  /** The events behind it: one for a rule, the window's events for a correlation. */
  eventIds: string[];
  /** Event time (ISO) of the newest and oldest event. */
  first: string;
  last: string;
  doc: Record<string, unknown>;
  retro?: boolean;
}

export interface RuleInfo {
  key: string;
  title: string;
  level: string | undefined;
  tags: readonly string[];
  version: number;
}

const LEVELS = new Set(['informational', 'low', 'medium', 'high', 'critical']);

export function alertRule(r: RuleInfo): Alert['rule'] {
  const level = (LEVELS.has(r.level ?? '') ? r.level : 'medium') as Level;
  return {
    id: r.key,
    title: r.title,
    level,
    severity: levelRank(level),
    tags: [...r.tags],
    attack: attackFromTags(r.tags),
    version: r.version,
  };
}

const first = (doc: unknown, path: string): string | undefined => {
  const v = valuesAtPath(doc, path)[0];
  return v === undefined || v === null || typeof v === 'object' ? undefined : String(v);
};

/**
 * The entity a rule's repeats fold on: the organisation and host, plus the user and source
 * address when the event has them. So the same brute force from one address against one
 * host is one alert, but two attackers are two.
 */
export function entityKey(doc: unknown): string {
  return ['soc.organization.id', 'host.name', 'user.name', 'source.ip']
    .map((p) => first(doc, p) ?? '')
    .join('|');
}

export function hashId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);
}

/** Event time in ms: `@timestamp`, else the given fallback (when the agent read it). */
export function eventMs(doc: unknown, fallbackMs: number): number {
  const t = Date.parse(first(doc, '@timestamp') ?? '');
  return Number.isNaN(t) ? fallbackMs : t;
}

/**
 * A single-event rule match. The id hashes rule, entity and the window the event time falls
 * in (fixed windows of event time, not arrival time), so a replay computes the same id.
 */
export function ruleHit(
  rule: RuleInfo,
  doc: Record<string, unknown>,
  eventId: string,
  timeMs: number,
  windowMs: number,
  retro = false,
): Hit {
  const groupKey = entityKey(doc);
  const windowStart = Math.floor(timeMs / windowMs) * windowMs;
  const t = new Date(timeMs).toISOString();
  return {
    alertId: hashId(retro ? 'retro' : 'live', rule.key, groupKey, String(windowStart)),
    groupKey: `${rule.key}|${groupKey}`,
    rule: alertRule(rule),
    eventIds: [eventId],
    first: t,
    last: t,
    doc,
    retro,
  };
}

/** A correlation match: id from the correlation, its group and its first event, all replay-stable. */
export function correlationHit(
  rule: RuleInfo,
  group: Record<string, unknown>,
  eventIds: string[],
  times: { first: number; last: number },
  doc: Record<string, unknown>,
): Hit {
  const g = JSON.stringify(Object.entries(group).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    alertId: hashId('corr', rule.key, g, String(eventIds[0] ?? '')),
    groupKey: `${rule.key}|${g}`,
    rule: alertRule(rule),
    eventIds,
    first: new Date(times.first).toISOString(),
    last: new Date(times.last).toISOString(),
    doc,
  };
}

const KEY_FIELDS = [
  '@timestamp',
  'event',
  'host',
  'user',
  'source',
  'destination',
  'process',
  'file',
  'url',
  'http',
  'rule',
  'observer',
  'log',
  'winlog',
  'powershell',
  'snmp',
  'network',
  'agent',
  'soc',
  'threat',
  'dns',
  'message',
];

/** The first event's key fields, kept on the alert when the event ages out of its index. */
export function keyFields(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of KEY_FIELDS) {
    const v = doc[k];
    if (v === undefined) continue;
    if (k === 'event' && typeof v === 'object' && v) {
      const { original: _o, ...rest } = v as Record<string, unknown>;
      out[k] = rest;
    } else if (k === 'message' && typeof v === 'string') out[k] = v.slice(0, 2000);
    else out[k] = v;
  }
  return out;
}

const int = (v: string | undefined): number | undefined => {
  const n = v === undefined ? Number.NaN : Number(v);
  return Number.isInteger(n) ? n : undefined;
};
const clean = <T extends object>(o: T): T | undefined => {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  return entries.length ? (Object.fromEntries(entries) as T) : undefined;
};

export function entities(doc: unknown): Alert['entities'] {
  const ips = valuesAtPath(doc, 'host.ip').filter((v): v is string => typeof v === 'string');
  return (
    clean({
      host: clean({ name: first(doc, 'host.name'), ip: ips.length ? ips : undefined }),
      user: clean({ name: first(doc, 'user.name'), domain: first(doc, 'user.domain') }),
      source: clean({ ip: first(doc, 'source.ip'), port: int(first(doc, 'source.port')) }),
      destination: clean({ ip: first(doc, 'destination.ip'), port: int(first(doc, 'destination.port')) }),
      process: clean({
        name: first(doc, 'process.name'),
        executable: first(doc, 'process.executable'),
        pid: int(first(doc, 'process.pid')),
        command_line: first(doc, 'process.command_line'),
      }),
    }) ?? {}
  );
}

/**
 * Folds hits into an alert: the new one (first write) or the stored one (a repeat). An event
 * id already on the alert is not counted again, so a redelivered event changes nothing.
 * Returns undefined when nothing changed. Workflow fields (status, assignee, …) are kept.
 */
export function fold(
  existing: Alert | undefined,
  hits: Hit[],
  maxIds: number,
  nowIso: string,
): Alert | undefined {
  const h0 = hits[0];
  if (!h0) return undefined;
  let alert: Alert;
  let changed = false;
  if (existing) alert = { ...existing, events: { ...existing.events, ids: [...existing.events.ids] } };
  else {
    const doc = h0.doc;
    const org = first(doc, 'soc.organization.id');
    const sys = first(doc, 'soc.system.id');
    const level = int(first(doc, 'soc.security_level'));
    alert = {
      id: h0.alertId,
      '@timestamp': nowIso,
      rule: h0.rule,
      events: { ids: [] },
      fields: keyFields(doc),
      entities: entities(doc),
      organization: org ? { id: org, name: first(doc, 'soc.organization.name') } : undefined,
      system: sys ? { id: sys, name: first(doc, 'soc.system.name') } : undefined,
      security_level: level !== undefined && level >= 1 && level <= 5 ? level : undefined,
      first_seen: h0.first,
      last_seen: h0.last,
      count: 0,
      group_key: h0.groupKey,
      status: 'open',
      retro: h0.retro ?? false,
    };
    changed = true;
  }
  const known = new Set(alert.events.ids);
  for (const h of hits) {
    const fresh = h.eventIds.filter((id) => !known.has(id));
    if (!fresh.length) continue;
    for (const id of fresh) known.add(id);
    alert.events.ids.push(...fresh);
    alert.count += fresh.length;
    if (h.first < alert.first_seen) alert.first_seen = h.first;
    if (h.last > alert.last_seen) alert.last_seen = h.last;
    changed = true;
  }
  if (alert.events.ids.length > maxIds) alert.events.ids = alert.events.ids.slice(-maxIds);
  if (!changed) return undefined;
  if (alert.count < 1) alert.count = 1;
  return Object.fromEntries(Object.entries(alert).filter(([, v]) => v !== undefined)) as Alert;
}

import { isObject, str } from '../../doc.ts';

/**
 * A Windows event log record, whichever collector rendered it: the EVTX record as JSON
 * (`Event.System` / `Event.EventData`, the shape of evtx_dump and SigmaHQ's regression data)
 * or winlogbeat's `winlog.*`. Both become this, and one mapper turns it into ECS.
 */
export interface WinRecord {
  channel?: string;
  eventId?: string;
  provider?: string;
  providerGuid?: string;
  computer?: string;
  recordId?: string;
  time?: string;
  level?: string;
  task?: string;
  opcode?: string;
  keywords?: string[];
  version?: string;
  processId?: number;
  threadId?: number;
  userId?: string;
  activityId?: string;
  /** Named data items as text (winlogbeat's convention: every value a string). */
  eventData: Record<string, string>;
  userData?: Record<string, string>;
}

/** `{ '#text': v }` and `{ '#attributes': … }` wrappers of XML rendered as JSON. */
function text(v: unknown): unknown {
  if (isObject(v) && '#text' in v) return v['#text'];
  return v;
}

function attr(v: unknown, name: string): unknown {
  return isObject(v) && isObject(v['#attributes']) ? v['#attributes'][name] : undefined;
}

/**
 * Data items as strings: `Data` lists of unnamed classic items become `param1…`, as
 * winlogbeat names them; keys with `.` would become object paths and are flattened.
 */
export function dataItems(data: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(data)) {
    if (data !== undefined && data !== null && data !== '') out.param1 = str(text(data)) ?? '';
    return out;
  }
  for (const [rawKey, rawValue] of Object.entries(data)) {
    if (rawKey === '#attributes') continue;
    const value = text(rawValue);
    if (rawKey === 'Data' || rawKey === '#text') {
      const items = Array.isArray(value) ? value : [value];
      items.forEach((item, i) => {
        // `<Data Name="x">v</Data>` rendered as { '#attributes': { Name }, '#text' }
        const name = attr(item, 'Name');
        const v = str(text(item));
        if (v === undefined) return;
        if (typeof name === 'string') out[name] = v;
        else out[`param${i + 1}`] = v;
      });
      continue;
    }
    const v = Array.isArray(value) ? value.map((x) => str(text(x)) ?? '').join(',') : str(value);
    if (v !== undefined) out[rawKey.replace(/\./g, '_')] = v;
  }
  return out;
}

export function fromEvtx(event: Record<string, unknown>): WinRecord | undefined {
  const ev = event.Event;
  if (!isObject(ev) || !isObject(ev.System)) return undefined;
  const sys = ev.System;
  const provider = sys.Provider;
  const execution = sys.Execution;
  const keywords = str(text(sys.Keywords));
  const eventId = text(sys.EventID);
  const userData = isObject(ev.UserData)
    ? dataItems(Object.values(ev.UserData).find(isObject) ?? ev.UserData)
    : undefined;
  return {
    channel: str(text(sys.Channel)),
    eventId: str(eventId),
    provider: str(attr(provider, 'Name')),
    providerGuid: str(attr(provider, 'Guid')),
    computer: str(text(sys.Computer)),
    recordId: str(text(sys.EventRecordID)),
    time: str(attr(sys.TimeCreated, 'SystemTime')),
    level: str(text(sys.Level)),
    task: str(text(sys.Task)),
    opcode: str(text(sys.Opcode)),
    version: str(text(sys.Version)),
    keywords: keywords ? [keywords] : undefined,
    processId: num(attr(execution, 'ProcessID')),
    threadId: num(attr(execution, 'ThreadID')),
    userId: str(attr(sys.Security, 'UserID')),
    activityId: str(attr(sys.Correlation, 'ActivityID')),
    eventData: dataItems(ev.EventData),
    userData,
  };
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

/** winlogbeat's document (or just its `winlog` object), with `@timestamp` beside it. */
export function fromWinlogbeat(event: Record<string, unknown>): WinRecord | undefined {
  const w = event.winlog;
  if (!isObject(w)) return undefined;
  const ed = isObject(w.event_data) ? w.event_data : {};
  const eventData: Record<string, string> = {};
  for (const [k, v] of Object.entries(ed)) {
    const s = Array.isArray(v) ? v.map((x) => str(x) ?? '').join(',') : str(v);
    if (s !== undefined) eventData[k.replace(/\./g, '_')] = s;
  }
  const ud = isObject(w.user_data) ? dataItems(w.user_data) : undefined;
  const process = isObject(w.process) ? w.process : {};
  const thread = isObject(process.thread) ? process.thread : {};
  const provider = str(w.provider_name) ?? (isObject(event.event) ? str(event.event.provider) : undefined);
  const kw = w.keywords;
  return {
    channel: str(w.channel),
    eventId: str(w.event_id) ?? (isObject(event.event) ? str(event.event.code) : undefined),
    provider,
    providerGuid: str(w.provider_guid),
    computer: str(w.computer_name) ?? (isObject(event.host) ? str(event.host.name) : undefined),
    recordId: str(w.record_id),
    time: str(event['@timestamp']),
    level: isObject(event.log) ? str(event.log.level) : undefined,
    task: str(w.task),
    opcode: str(w.opcode),
    version: str(w.version),
    keywords: Array.isArray(kw) ? kw.map((k) => str(k) ?? '') : typeof kw === 'string' ? [kw] : undefined,
    processId: num(process.pid),
    threadId: num(thread.id),
    userId: isObject(w.user) ? str(w.user.identifier) : undefined,
    activityId: str(w.activity_id),
    eventData,
    userData: ud,
  };
}

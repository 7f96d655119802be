import { type EcsDoc, isObject, put, str } from '../doc.ts';
import { iso, parseIso } from '../time.ts';
import type { Parser } from '../types.ts';

/**
 * Payloads no source parser claims. JSON is kept searchable as `json.<path>` (every leaf a
 * string, so one field never has two types; capped so a hostile document cannot explode the
 * mapping); text is kept as `message`. Neither is dropped.
 */
export const MAX_JSON_FIELDS = 100;

function flatten(value: unknown, path: string, out: Record<string, string>): void {
  if (Object.keys(out).length >= MAX_JSON_FIELDS) return;
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value))
      flatten(v, path ? `${path}_${k.replace(/\./g, '_')}` : k.replace(/\./g, '_'), out);
  } else if (Array.isArray(value)) {
    if (value.every((v) => !isObject(v) && !Array.isArray(v))) {
      const s = value.map((v) => str(v)).filter((v): v is string => v !== undefined);
      if (s.length) out[path] = s.join(', ');
    } else out[path] = JSON.stringify(value);
  } else {
    const s = str(value);
    if (s !== undefined && s !== '') out[path] = s;
  }
}

export const jsonParser: Parser = {
  id: 'json',
  sniff: ({ event }) => event !== undefined,
  parse({ event, timeZone }) {
    const doc: EcsDoc = {};
    const e = event ?? {};
    const fields: Record<string, string> = {};
    flatten(e, '', fields);
    // `json.a_b` rather than nested `json.a.b`: a key that is a string in one event and an
    // object in the next would otherwise be a mapping conflict.
    if (Object.keys(fields).length) put(doc, 'json', fields);
    const t = e['@timestamp'] ?? e.timestamp ?? e.time ?? e.ts;
    put(doc, '@timestamp', iso(parseIso(t, timeZone)));
    put(doc, 'message', str(e.message ?? e.msg));
    put(doc, 'log.level', str(e.level ?? e.severity)?.toLowerCase());
    put(doc, 'event.kind', 'event');
    return doc;
  },
};

export const rawParser: Parser = {
  id: 'raw',
  sniff: () => true,
  parse({ line }) {
    const doc: EcsDoc = {};
    put(doc, 'message', line);
    put(doc, 'event.kind', 'event');
    return doc;
  },
};

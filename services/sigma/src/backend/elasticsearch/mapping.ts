/**
 * The mapping contract between the ingest (which creates the index templates and writes the
 * documents) and the Elasticsearch backend (which assumes these field types when it turns a
 * Sigma rule into a query). One place, so the two cannot drift apart: the ingest builds its
 * templates from `indexSettings` and `indexMappings`, the backend reads `fieldKind`.
 *
 * Field types
 * - Every string field is `keyword` (no `ignore_above`, no normalizer), so term, prefix,
 *   wildcard and regexp queries see the value exactly as the streaming engine does; case
 *   is folded at query time (`case_insensitive`), never at index time. Unknown fields (e.g.
 *   `winlog.event_data.*`) become keyword through dynamic templates; date detection is off.
 * - `long` for the ECS integer fields in `LONG_FIELDS` (`coerce: false`: the ingest writes
 *   them as JSON integers), `ip` for `IP_FIELDS` and for fields named as in `IP_FIELD_NAMES`
 *   wherever they occur (`ignore_malformed: true`: a non-address is kept, as a string, in the
 *   sub-field), `date` for `@timestamp`. Each of these has a `keyword` sub-field
 *   (`<field>.keyword`) holding the value as written, which is what string matching uses;
 *   `cidr` and `lt`/`gt` use the typed field.
 * - ECS boolean fields (`FLAG_FIELDS`) are keyword too (`true` / `false`).
 * - `message` also has a `text` sub-field for people's full-text searches (the backend does
 *   not use it).
 * - Keyword search (a Sigma rule's plain list of values: "any string of the event") needs a
 *   catch-all: every field holding JSON strings copies them to `KEYWORDS_FIELD` (indexed, not
 *   in `_source`, no doc values). Numbers and booleans are not copied, as the engine's keyword
 *   search looks at strings only.
 *
 * Duties of the writer (the ingest), which the agreement test also obeys
 * - A field keeps one JSON type: strings for keyword fields (numbers and booleans the ingest
 *   finds in a dynamic field are mapped keyword without the catch-all copy, so that field
 *   must then hold numbers or booleans only); integers for `LONG_FIELDS`; `true`/`false`
 *   for `FLAG_FIELDS`.
 * - No `null` values and no empty arrays: drop the key. (Elasticsearch indexes neither, the
 *   engine would see a key that exists; `exists` and `null` then disagree.)
 * - Strings at most `MAX_STRING_CHARS` characters (Lucene cannot index a term of more than
 *   32,766 bytes); the ingest cuts longer values, before detection sees them.
 * - IP addresses in canonical form (`10.1.2.3`, not `010.1.2.3`: Elasticsearch refuses
 *   leading zeros, the engine reads them as decimal).
 */

/** The catch-all field of keyword searches. */
export const KEYWORDS_FIELD = 'sigma_strings';
/** The sub-field of typed fields that holds their value as a string. */
export const STRING_SUBFIELD = 'keyword';
/** Longest string value the ingest writes (3 bytes per UTF-16 unit at most: < 32,766 bytes). */
export const MAX_STRING_CHARS = 10_000;

export const LONG_FIELDS = [
  'process.pid',
  'process.parent.pid',
  'process.thread.id',
  'source.port',
  'destination.port',
  'client.port',
  'server.port',
  'http.response.status_code',
  'http.request.bytes',
  'http.response.bytes',
  'source.bytes',
  'destination.bytes',
  'network.bytes',
  'event.severity',
] as const;

export const IP_FIELDS = [
  'source.ip',
  'destination.ip',
  'client.ip',
  'server.ip',
  'host.ip',
  'related.ip',
  'observer.ip',
  'source.nat.ip',
  'destination.nat.ip',
] as const;

/** Windows event data names that hold an address, typed `ip` wherever they occur. */
export const IP_FIELD_NAMES = [
  'IpAddress',
  'SourceAddress',
  'DestAddress',
  'ClientAddress',
  'ServerAddress',
] as const;

export const FLAG_FIELDS = [
  'file.code_signature.signed',
  'file.code_signature.valid',
  'dll.code_signature.signed',
  'dll.code_signature.valid',
  'process.code_signature.signed',
  'process.code_signature.valid',
] as const;

export const DATE_FIELDS = ['@timestamp'] as const;

/** How the backend may query a field. */
export type FieldKind = 'keyword' | 'flag' | 'long' | 'ip' | 'date';

const KINDS = new Map<string, FieldKind>([
  ...LONG_FIELDS.map((f) => [f, 'long'] as const),
  ...IP_FIELDS.map((f) => [f, 'ip'] as const),
  ...FLAG_FIELDS.map((f) => [f, 'flag'] as const),
  ...DATE_FIELDS.map((f) => [f, 'date'] as const),
]);
const IP_NAMES = new Set<string>(IP_FIELD_NAMES);

export function fieldKind(path: string): FieldKind {
  const kind = KINDS.get(path);
  if (kind) return kind;
  const leaf = path.slice(path.lastIndexOf('.') + 1);
  return IP_NAMES.has(leaf) ? 'ip' : 'keyword';
}

/** The field holding a path's value as a string (the path itself, or its keyword sub-field). */
export function stringField(path: string): string {
  const kind = fieldKind(path);
  return kind === 'keyword' || kind === 'flag' ? path : `${path}.${STRING_SUBFIELD}`;
}

const sub = { [STRING_SUBFIELD]: { type: 'keyword' } };
const copy = { copy_to: KEYWORDS_FIELD };

function typed(kind: FieldKind): Record<string, unknown> {
  switch (kind) {
    case 'long':
      return { type: 'long', coerce: false, fields: sub };
    case 'ip':
      return { type: 'ip', ignore_malformed: true, fields: sub, ...copy };
    case 'date':
      return { type: 'date', fields: sub, ...copy };
    case 'flag':
      return { type: 'keyword' };
    case 'keyword':
      return { type: 'keyword', ...copy };
  }
}

/** Nests dotted paths into `properties` objects. */
function nest(entries: [string, Record<string, unknown>][]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, mapping] of entries) {
    const parts = path.split('.');
    let props = root;
    for (const part of parts.slice(0, -1)) {
      if (!props[part]) props[part] = { properties: {} };
      props = (props[part] as { properties: Record<string, unknown> }).properties;
    }
    props[parts[parts.length - 1]!] = mapping;
  }
  return root;
}

/** Index settings the backend relies on (long Lucene regexps: `re` rules, windash values). */
export const indexSettings = {
  'index.max_regex_length': 65_536,
} as const;

/** The mappings of an events index (for an index template's `template.mappings`). */
export const indexMappings = {
  date_detection: false,
  numeric_detection: false,
  dynamic_templates: [
    ...IP_FIELD_NAMES.map((name) => ({ [`sigma_ip_${name}`]: { match: name, mapping: typed('ip') } })),
    { sigma_strings: { match_mapping_type: 'string', mapping: typed('keyword') } },
    { sigma_scalars: { match_mapping_type: ['long', 'double', 'boolean'], mapping: { type: 'keyword' } } },
  ],
  properties: {
    [KEYWORDS_FIELD]: { type: 'keyword', doc_values: false },
    message: { ...typed('keyword'), fields: { text: { type: 'text' } } },
    ...nest([
      ...[...KINDS].map(([path, kind]): [string, Record<string, unknown>] => [path, typed(kind)]),
      // ECS: the verbatim event is kept, not indexed (and not in the keyword catch-all: the
      // ecs pipeline's keywordExclude says the same to the stream engine).
      ['event.original', { type: 'keyword', index: false, doc_values: false }],
    ]),
  },
} as const;

import { type AgentMessage, agentMessageSchema } from '@soc/agent-shared';
import { add, type EcsDoc, get, isObject, put } from './doc.ts';
import { finalize } from './finalize.ts';
import { canonicalIp } from './ip.ts';
import { PARSERS, parserFor } from './registry.ts';
import { ParseError, type ParseInput, type Parser } from './types.ts';

export interface NormalizeOptions {
  /** Keep the payload as `event.original` (default true). */
  keepOriginal?: boolean;
  /** Input name → parser id, for inputs whose format sniffing should not guess. */
  parsers?: Record<string, string>;
  /** IANA zone of times written without one (default Asia/Ho_Chi_Minh). */
  timeZone?: string;
  /** Messages larger than this many bytes are dead letters (default 1 MiB). */
  maxMessageBytes?: number;
  /** The clock of `event.ingested` (tests fix it). */
  now?: () => Date;
}

export type DeadLetterReason = 'oversize' | 'invalid_json' | 'invalid_message';

export type NormalizeResult =
  | {
      ok: true;
      /** The agent's message id `<agent>:<seq>`: the document `_id`. */
      id: string;
      /** The parser that read it (`syslog`, `windows`, …): the metrics label. */
      source: string;
      doc: EcsDoc;
      /** When the agent read it (ms): index routing falls back to it for absurd event times. */
      observedMs: number;
    }
  | {
      ok: false;
      reason: DeadLetterReason;
      detail: string;
      /** The message id when it could be read (from the JSON or the caller's Nats-Msg-Id). */
      id?: string;
      agent?: string;
    };

export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Bytes from the TELEMETRY stream → an ECS document, or the reason it is a dead letter.
 * Never throws: a parser that fails keeps the event raw with the reason (`error.message`,
 * tag `_parse_failure`); only what is not an agent message at all is a dead letter.
 */
export function normalize(data: Uint8Array | string, options: NormalizeOptions = {}): NormalizeResult {
  const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  if (size > max) return { ok: false, reason: 'oversize', detail: `message of ${size} bytes exceeds ${max}` };
  const text = typeof data === 'string' ? data : decoder.decode(data);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: 'invalid_json', detail: (err as Error).message.slice(0, 300) };
  }
  const parsed = agentMessageSchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    const j = isObject(json) ? json : {};
    return {
      ok: false,
      reason: 'invalid_message',
      detail,
      id: typeof j.id === 'string' ? j.id.slice(0, 200) : undefined,
      agent: typeof j.agent === 'string' ? j.agent.slice(0, 64) : undefined,
    };
  }
  return normalizeMessage(parsed.data, options);
}

/** An already validated agent message → ECS (what detection calls when it has parsed the message). */
export function normalizeMessage(msg: AgentMessage, options: NormalizeOptions = {}) {
  const observedMs = Date.parse(msg.observed);
  const input: ParseInput = {
    msg,
    line: msg.line,
    event: msg.event,
    observedMs,
    timeZone: options.timeZone ?? DEFAULT_TIME_ZONE,
  };
  const parser = choose(input, options.parsers);
  let doc: EcsDoc;
  try {
    doc = parser.parse(input);
  } catch (err) {
    // The payload is not what its source writes (or a parser met a case it does not know):
    // keep it raw and say why, so an analyst can still find it and the parser be fixed.
    doc = err instanceof ParseError && err.partial ? err.partial : {};
    put(doc, 'error.message', `${parser.id}: ${(err as Error).message}`.slice(0, 1000));
    add(doc, 'tags', '_parse_failure');
    if (!(err instanceof ParseError)) add(doc, 'tags', '_parser_error');
    if (get(doc, 'message') === undefined) put(doc, 'message', msg.line ?? undefined);
    put(doc, 'event.kind', get(doc, 'event.kind') ?? 'event');
  }
  envelope(doc, msg, parser, options);
  finalize(doc);
  return { ok: true as const, id: msg.id, source: parser.id, doc, observedMs };
}

function choose(input: ParseInput, configured: Record<string, string> | undefined): Parser {
  const named = configured?.[input.msg.input];
  if (named) {
    const p = parserFor(named);
    if (p) return p;
  }
  // A JSON input whose line did not parse is text, whatever source it was meant to be.
  for (const p of PARSERS) if (p.sniff(input)) return p;
  return PARSERS[PARSERS.length - 1]!;
}

/** What every document says the same way: who shipped it, when, from where, and the original. */
function envelope(doc: EcsDoc, msg: AgentMessage, parser: Parser, options: NormalizeOptions) {
  const now = options.now?.() ?? new Date();
  if (get(doc, '@timestamp') === undefined) put(doc, '@timestamp', msg.observed);
  put(doc, 'event.created', msg.observed);
  put(doc, 'event.ingested', now.toISOString());
  put(doc, 'event.kind', get(doc, 'event.kind') ?? 'event');
  put(doc, 'event.module', get(doc, 'event.module') ?? parser.id);
  put(doc, 'event.id', msg.id);
  put(doc, 'agent.id', msg.agent);
  put(doc, 'agent.type', 'soc-agent');
  put(doc, 'agent.name', msg.host.name);
  // A network sender (syslog): its address and port as Filebeat records them. When the
  // message names no host, the sender is the best identity there is — not the collector the
  // agent runs on. The address is not made host.ip otherwise: through a relay it is the
  // relay's, and enrichment would give every relayed device the relay's information system.
  const sender = canonicalIp(msg.source?.address);
  if (sender) {
    put(doc, 'log.source.address', msg.source?.port ? `${sender}:${msg.source.port}` : sender);
    if (get(doc, 'host.name') === undefined) put(doc, 'host.name', sender);
  }
  // A device seen through the agent (syslog, SNMP, a CEF appliance) is the observer and
  // usually the host; a local log is about the agent's own host.
  if (get(doc, 'host.name') === undefined) put(doc, 'host.name', msg.host.name);
  if (get(doc, 'observer.hostname') === undefined && get(doc, 'host.name') !== msg.host.name)
    put(doc, 'observer.hostname', msg.host.name);
  const hostIp = canonicalIp(get(doc, 'host.name'));
  if (hostIp && get(doc, 'host.ip') === undefined) put(doc, 'host.ip', [hostIp]);
  put(doc, 'log.file.path', msg.source?.path);
  put(doc, 'log.offset', msg.source?.offset);
  put(doc, 'input.type', msg.input);
  if (msg.truncated) add(doc, 'tags', 'truncated');
  if (msg.parseError) {
    add(doc, 'tags', '_json_parse_failure');
    if (get(doc, 'error.message') === undefined)
      put(doc, 'error.message', `agent: ${msg.parseError}`.slice(0, 1000));
  }
  if (options.keepOriginal ?? true) {
    put(doc, 'event.original', msg.line ?? (msg.event ? JSON.stringify(msg.event) : undefined));
  }
  if (get(doc, 'message') === undefined && msg.line !== undefined && parser.id !== 'windows')
    put(doc, 'message', msg.line);
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AgentMessage, buildMessage } from '@soc/agent-shared';
import { fieldKind, MAX_STRING_CHARS } from '@soc/sigma/elasticsearch';
import { isObject } from './doc.ts';
import { canonicalIp } from './ip.ts';
import { type NormalizeOptions, normalize } from './normalize.ts';

/** Helpers for this package's tests and for services that test with its fixtures. */
export const FIXTURES = join(import.meta.dirname, '../fixtures');

export function fixtureLines(name: string): string[] {
  return readFileSync(join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

let seq = 0;
/** An agent message as the endpoint agent builds it. */
export function agentMessage(
  body: {
    line?: string;
    event?: Record<string, unknown>;
    input?: string;
    path?: string;
    host?: string;
    /** A network sender, as the syslog listener records it. */
    sender?: { address: string; port: number; transport: 'udp' | 'tcp' | 'tls' };
  },
  observed = new Date('2026-03-11T03:59:59Z'),
): AgentMessage {
  return buildMessage('agent-test', body.host ?? 'collector01', body.input ?? 'logs', ++seq, {
    observed,
    line: body.line,
    event: body.event,
    source: body.path ? { path: body.path, offset: 0 } : body.sender,
  });
}

export const FIXED_NOW = new Date('2026-03-11T04:00:00Z');

/** Normalises and asserts it succeeded: the document. */
export function ecs(
  body: Parameters<typeof agentMessage>[0],
  options: NormalizeOptions = {},
): { source: string; doc: Record<string, unknown> } {
  const r = normalize(JSON.stringify(agentMessage(body)), { now: () => FIXED_NOW, ...options });
  if (!r.ok) throw new Error(`dead letter: ${r.reason} ${r.detail}`);
  return { source: r.source, doc: r.doc };
}

/** Every breach of the mapping contract's writer duties in a document (empty when it obeys them). */
export function contractBreaches(doc: unknown, prefix = ''): string[] {
  const out: string[] = [];
  if (!isObject(doc)) return [`${prefix}: not an object`];
  for (const [k, v] of Object.entries(doc)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (k.includes('.')) out.push(`${path}: dotted key`);
    const values = Array.isArray(v) ? v : [v];
    if (Array.isArray(v) && v.length === 0) out.push(`${path}: empty array`);
    const types = new Set(values.map((x) => (isObject(x) ? 'object' : x === null ? 'null' : typeof x)));
    if (types.size > 1) out.push(`${path}: mixed types ${[...types].join(',')}`);
    for (const x of values) {
      if (x === null || x === undefined) out.push(`${path}: null`);
      else if (isObject(x)) out.push(...contractBreaches(x, path));
      else if (typeof x === 'string') {
        if (x.length > MAX_STRING_CHARS) out.push(`${path}: ${x.length} chars`);
        const kind = fieldKind(path);
        if (kind === 'long') out.push(`${path}: string in a long field`);
        if (kind === 'ip' && canonicalIp(x) !== undefined && canonicalIp(x) !== x)
          out.push(`${path}: non-canonical ip ${x}`);
      } else if (typeof x === 'number') {
        const kind = fieldKind(path);
        if (kind === 'long' && !Number.isSafeInteger(x)) out.push(`${path}: not an integer`);
        if (kind === 'ip') out.push(`${path}: number in an ip field`);
      }
    }
  }
  return out;
}

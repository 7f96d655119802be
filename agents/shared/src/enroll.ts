import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname, release, type } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describeCreds } from '@soc/core/nats/credentials';
import { parseDocument, stringify } from 'yaml';
import { z } from 'zod';

/**
 * The host's side of enrollment (`soc agent enroll`): trade a token for an agent id and NATS
 * credentials at the API, write the creds file (0600) and point the agent's config at it.
 * Here, with the agents, so an agent's own bundle can enroll without the whole `soc` CLI.
 */

/** The part of the API's 201 the host needs (services/api/src/resources/agents/routes.ts). */
const enrolledSchema = z.object({
  agent_id: z.string().regex(/^[A-Za-z0-9_-]+$/),
  organization_id: z.string(),
  nats: z.object({
    urls: z.array(z.string()).default([]),
    creds: z.string().optional(),
    expires_at: z.string().optional(),
  }),
});
export type EnrolledAgent = z.output<typeof enrolledSchema>;

const problemSchema = z.object({ title: z.string(), detail: z.string().optional() });

/** A failure to tell the operator in one line (exit 1), never a stack trace. */
export class EnrollError extends Error {}

export interface EnrollOptions {
  api: string;
  token: string;
  config?: string | undefined;
  out?: string | undefined;
  /** The creds file's exact path (e.g. the one a systemd unit's LoadCredential= names). */
  creds?: string | undefined;
  hostname?: string | undefined;
  version: string;
}

export interface EnrollResult {
  enrolled: EnrolledAgent;
  credsFile?: string;
  /** The config file updated, or the snippet to put in one. */
  config: { file: string } | { snippet: string };
}

/** `https://soc.example/` and `https://soc.example/api/v1` name the same API. */
export function enrollUrl(api: string): string {
  let u: URL;
  try {
    u = new URL(api);
  } catch {
    throw new EnrollError(`--api must be a URL such as https://soc.example.gov.vn, got ${api}`);
  }
  const base = u.pathname.replace(/\/+$/, '');
  u.pathname = `${base.endsWith('/api/v1') ? base : `${base}/api/v1`}/agents/enroll`;
  return u.toString();
}

async function callApi(o: EnrollOptions): Promise<EnrolledAgent> {
  const url = enrollUrl(o.api);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: o.token,
        hostname: o.hostname ?? hostname(),
        version: o.version,
        os: `${type()} ${release()}`.slice(0, 200),
      }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new EnrollError(`cannot reach the API at ${url}: ${cause ?? (err as Error).message}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (res.status !== 201) {
    const p = problemSchema.safeParse(body);
    throw new EnrollError(
      p.success
        ? `${p.data.title} (HTTP ${res.status})${p.data.detail ? `: ${p.data.detail}` : ''}`
        : `the API answered HTTP ${res.status}`,
    );
  }
  const parsed = enrolledSchema.safeParse(body);
  if (!parsed.success)
    throw new EnrollError(`the API's answer is not an enrollment: ${parsed.error.message}`);
  return parsed.data;
}

/** The creds are the agent's secret: 0600 from the first byte (a new directory: 0700). */
function writeCreds(file: string, creds: string): string {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, creds, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return file;
}

/** The keys enrollment decides; everything else in the agent's config is the operator's. */
function settings(e: EnrolledAgent, credsFile: string | undefined) {
  return {
    agentId: e.agent_id,
    ...(e.nats.urls.length ? { natsUrl: e.nats.urls.join(',') } : {}),
    ...(credsFile ? { credsFile } : {}),
  };
}

/** Sets the keys in place, keeping the file's comments and order (yaml's document model). */
function updateConfig(file: string, s: ReturnType<typeof settings>): void {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length) throw new EnrollError(`${file} is not valid YAML: ${doc.errors[0]!.message}`);
  doc.setIn(['agent', 'id'], s.agentId);
  if (s.natsUrl) doc.setIn(['nats', 'url'], s.natsUrl);
  if (s.credsFile) doc.setIn(['nats', 'credsFile'], s.credsFile);
  writeFileSync(file, String(doc));
}

export async function enroll(o: EnrollOptions): Promise<EnrollResult> {
  const configFile = o.config ? resolve(o.config) : undefined;
  // Checked before the call: a used token is not wasted on a typo in a path.
  if (configFile && !existsSync(configFile))
    throw new EnrollError(`${configFile} does not exist (leave out --config to print a snippet instead)`);
  const enrolled = await callApi(o);
  // Creds for another user than this agent would be refused on every publish; say so now.
  if (enrolled.nats.creds) {
    let name: string;
    try {
      name = describeCreds(enrolled.nats.creds).name;
    } catch (err) {
      throw new EnrollError(`the API's credentials are unreadable: ${(err as Error).message}`);
    }
    if (name !== enrolled.agent_id)
      throw new EnrollError(`the API's credentials are for ${name}, not for ${enrolled.agent_id}`);
  }
  const dir = resolve(o.out ?? (configFile ? dirname(configFile) : '.'));
  const target = o.creds ? resolve(o.creds) : join(dir, `${enrolled.agent_id}.creds`);
  const credsFile = enrolled.nats.creds ? writeCreds(target, enrolled.nats.creds) : undefined;
  const s = settings(enrolled, credsFile);
  if (configFile) {
    updateConfig(configFile, s);
    return { enrolled, ...(credsFile ? { credsFile } : {}), config: { file: configFile } };
  }
  const snippet = stringify({
    agent: { id: s.agentId },
    ...(s.natsUrl || s.credsFile
      ? {
          nats: {
            ...(s.natsUrl ? { url: s.natsUrl } : {}),
            ...(s.credsFile ? { credsFile: s.credsFile } : {}),
          },
        }
      : {}),
  });
  return { enrolled, ...(credsFile ? { credsFile } : {}), config: { snippet } };
}

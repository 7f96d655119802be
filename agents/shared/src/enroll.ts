import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname, release, type } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
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

/** `dir`, or the closest of its parents that exists (enrollment creates the rest). */
function existingAncestor(dir: string): string {
  let d = dir;
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  return d;
}

/** The creds are the agent's secret: 0600 from the first byte (a new directory: 0700). */
function writeCreds(file: string, creds: string): string {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  try {
    writeFileSync(tmp, creds, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  } catch (err) {
    // No copy of the secret left lying next to where it was meant to go.
    rmSync(tmp, { force: true });
    throw err;
  }
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

/** The configuration as a YAML document, which keeps its comments and order when edited. */
function readConfig(file: string) {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length) throw new EnrollError(`${file} is not valid YAML: ${doc.errors[0]!.message}`);
  return doc;
}

/** Sets the keys in place, keeping the rest of the file as it was. */
function updateConfig(
  file: string,
  doc: ReturnType<typeof readConfig>,
  s: ReturnType<typeof settings>,
): void {
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
  const credsDir = resolve(o.creds ? dirname(o.creds) : (o.out ?? (configFile ? dirname(configFile) : '.')));
  // Nor on a host that cannot write what enrollment produces (not root, a read-only /etc).
  for (const [path, what] of [
    [configFile, 'the configuration'],
    [existingAncestor(credsDir), 'the creds file’s directory'],
  ] as const) {
    if (!path) continue;
    if (path !== configFile && !statSync(path).isDirectory())
      throw new EnrollError(`cannot write ${what}: ${path} is not a directory`);
    try {
      accessSync(path, constants.W_OK);
    } catch (err) {
      throw new EnrollError(
        `cannot write ${what} (${path}): ${(err as NodeJS.ErrnoException).code} — run as root?`,
      );
    }
  }
  // Read (and found to be YAML) now, for the same reason; written back once enrolled.
  const doc = configFile ? readConfig(configFile) : undefined;
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
  if (configFile && doc) {
    updateConfig(configFile, doc, s);
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

/*
 * The command around enroll(): flags, checks and what it prints. `soc agent enroll` and each
 * agent's own `enroll` (soc-agent-endpoint.mjs enroll …) run this same code, so a host
 * enrolled either way ends up with the same files and the same messages.
 */

/** The flags of `enroll` (node:util parseArgs options). */
export const ENROLL_FLAGS = {
  api: { type: 'string' },
  token: { type: 'string' },
  config: { type: 'string' },
  out: { type: 'string' },
  creds: { type: 'string' },
  hostname: { type: 'string' },
} as const;

export type EnrollFlags = Partial<Record<keyof typeof ENROLL_FLAGS, string | undefined>>;

/** What the flags mean, for every usage text that offers `enroll`. */
export const ENROLL_FLAGS_HELP = `  --api URL       the SOC API, e.g. https://soc.example.gov.vn (or …/api/v1)
  --token TOKEN   the enrollment token (socenr_…; an admin makes one with POST
                  /agents/enrollment-tokens); SOC_ENROLL_TOKEN also works, out of the
                  process list
  --config FILE   the agent's YAML configuration: enroll sets agent.id, nats.url and
                  nats.credsFile in it, keeping its comments (without --config, it prints
                  those keys to add)
  --out DIR       where to write <agent-id>.creds (0600); default: the config's directory,
                  else the current one
  --creds FILE    the creds file's exact path instead (e.g. what a systemd unit loads)
  --hostname NAME the name the agent is listed under (default: this host's)`;

const flagsSchema = z.object({
  api: z.string({ error: 'enroll needs --api URL' }).min(1, 'enroll needs --api URL'),
  token: z
    .string({ error: 'enroll needs --token TOKEN (or SOC_ENROLL_TOKEN)' })
    .min(1, 'enroll needs --token TOKEN (or SOC_ENROLL_TOKEN)'),
  config: z.string().optional(),
  out: z.string().optional(),
  creds: z.string().optional(),
  hostname: z.string().optional(),
});

/** The flags as enroll() takes them, or the usage problem to report (exit 2). */
export function enrollOptions(
  flags: EnrollFlags,
  version: string,
  env: NodeJS.ProcessEnv = process.env,
): EnrollOptions | string {
  const parsed = flagsSchema.safeParse({ ...flags, token: flags.token ?? env.SOC_ENROLL_TOKEN });
  if (!parsed.success) return parsed.error.issues[0]!.message;
  return { ...parsed.data, version };
}

/** Enrolls and tells the operator the outcome: 0, or 1 with one line on stderr (`prog: reason`). */
export async function runEnroll(
  o: EnrollOptions,
  prog: string,
  print: (line: string) => void = console.log,
  printError: (line: string) => void = console.error,
): Promise<number> {
  let r: EnrollResult;
  try {
    r = await enroll(o);
  } catch (err) {
    if (err instanceof EnrollError) {
      printError(`${prog}: ${err.message}`);
      return 1;
    }
    throw err;
  }
  print(`enrolled as ${r.enrolled.agent_id} (organisation ${r.enrolled.organization_id})`);
  if (r.credsFile)
    print(
      `NATS credentials: ${r.credsFile} (0600)${r.enrolled.nats.expires_at ? `, valid until ${r.enrolled.nats.expires_at}` : ''}`,
    );
  else print('the API issued no NATS credentials: its NATS runs without authorization');
  if (!r.enrolled.nats.urls.length)
    print('the API named no NATS URL: set nats.url in the agent configuration');
  if ('file' in r.config) print(`configuration updated: ${r.config.file}`);
  else print(`add to the agent's configuration:\n\n${r.config.snippet}`);
  return 0;
}

/** `enroll`'s usage for an agent's own executable (`prog`, e.g. soc-agent-endpoint). */
export function enrollUsage(prog: string): string {
  return `Usage: ${prog} enroll --api URL --token TOKEN [--config FILE] [--out DIR | --creds FILE] [--hostname NAME]

Registers this host with the SOC API using an enrollment token: gets the agent's id and its
NATS credentials (which allow publishing on its own subjects only), writes them to a 0600
file and points the configuration at them. Exit 0 when enrolled, 1 when the API refuses
(its reason on stderr), 2 on a usage error.

${ENROLL_FLAGS_HELP}`;
}

/** An agent's `enroll` subcommand, from its arguments after `enroll`: the exit code. */
export async function enrollMain(argv: string[], prog: string, version: string): Promise<number> {
  let values: EnrollFlags & { help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { ...ENROLL_FLAGS, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`${prog} enroll: ${(err as Error).message}\n\n${enrollUsage(prog)}`);
    return 2;
  }
  if (values.help) {
    console.log(enrollUsage(prog));
    return 0;
  }
  const { help: _h, ...flags } = values;
  const o = enrollOptions(flags, version);
  if (typeof o === 'string') {
    console.error(`${prog} enroll: ${o}\n\n${enrollUsage(prog)}`);
    return 2;
  }
  try {
    return await runEnroll(o, `${prog} enroll`);
  } catch (err) {
    // Not the API's answer: the host's own trouble (e.g. EACCES on /etc/soc when not root).
    // One line for the operator, as for a refusal; the bundle has no CLI to print it.
    console.error(`${prog} enroll: ${(err as Error).message}`);
    return 1;
  }
}

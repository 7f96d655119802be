import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enrollUrl, issueAgentCredentials } from '@soc/agent-shared';
import { createAuthority, publicKeyOfSeed } from '@soc/core/nats/credentials';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';

const AGENT = 'ag-0123456789abcdef';
// Real creds (issued as the API would), so the client's check of them runs for real.
const authority = createAuthority();
const issuer = { account: publicKeyOfSeed(authority.accountSeed), signingSeed: authority.accountSigningSeed };
let CREDS: string;
let OTHERS: string;

/** Stands in for the API's enroll route (its own tests run the real route against a real NATS). */
let server: Server;
let api: string;
const seen: Array<{ url: string; body: Record<string, unknown> }> = [];
beforeAll(async () => {
  CREDS = (await issueAgentCredentials(issuer, AGENT)).creds;
  OTHERS = (await issueAgentCredentials(issuer, 'ag-someone-else')).creds;
  server = createServer(async (req: IncomingMessage, res) => {
    let text = '';
    for await (const c of req) text += c;
    const body = JSON.parse(text) as Record<string, unknown>;
    seen.push({ url: req.url ?? '', body });
    const creds = body.token === 'socenr_mixup' ? OTHERS : body.token === 'socenr_junk' ? 'junk' : CREDS;
    if (!['socenr_good', 'socenr_mixup', 'socenr_junk'].includes(String(body.token))) {
      res.writeHead(401, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          title: 'Authentication required',
          status: 401,
          detail: 'the enrollment token is invalid, used up or expired',
        }),
      );
      return;
    }
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        agent_id: AGENT,
        organization_id: 'org-a',
        nats: {
          urls: ['nats://soc.example:4222'],
          creds,
          permissions: {},
          heartbeat_subject: 'x',
          inbox_prefix: 'y',
        },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function run(argv: string[]) {
  const out = vi.spyOn(console, 'log').mockImplementation(() => {});
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const code = await main(argv);
    return {
      code,
      out: out.mock.calls.map((c) => String(c[0])).join('\n'),
      err: err.mock.calls.map((c) => String(c[0])).join('\n'),
    };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('soc agent enroll', () => {
  it('writes the creds (0600) next to the config and sets id, URL and creds in it, keeping the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-enroll-'));
    const config = join(dir, 'endpoint.yaml');
    writeFileSync(config, '# mine\nagent:\n  id: web-01 # old\n  dataDir: /var/lib/x\ninputs: []\n');
    const r = await run([
      'agent',
      'enroll',
      '--api',
      `${api}/`,
      '--token',
      'socenr_good',
      '--config',
      config,
      '--hostname',
      'web01',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('enrolled as ag-0123456789abcdef');
    expect(seen.at(-1)).toMatchObject({
      url: '/api/v1/agents/enroll',
      body: { token: 'socenr_good', hostname: 'web01' },
    });
    const credsFile = join(dir, 'ag-0123456789abcdef.creds');
    expect(readFileSync(credsFile, 'utf8')).toBe(CREDS);
    expect((statSync(credsFile).mode & 0o777).toString(8)).toBe('600');
    const text = readFileSync(config, 'utf8');
    expect(text).toContain('# mine');
    expect(text).toContain('dataDir: /var/lib/x');
    expect(text).toMatch(/id: ag-0123456789abcdef/);
    expect(text).toContain(`credsFile: ${credsFile}`);
    expect(text).toContain('url: nats://soc.example:4222');
  });

  it('without --config, prints the keys to add and writes the creds under --out', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'soc-enroll-')), 'creds');
    const r = await run([
      'agent',
      'enroll',
      '--api',
      `${api}/api/v1`,
      '--token',
      'socenr_good',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`credsFile: ${join(out, 'ag-0123456789abcdef.creds')}`);
    expect((statSync(out).mode & 0o777).toString(8)).toBe('700');
  });

  it('--creds names the file exactly (what a systemd unit loads with LoadCredential=)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-enroll-'));
    const config = join(dir, 'agent.yaml');
    writeFileSync(config, 'agent:\n  dataDir: /x\n');
    const creds = join(dir, 'etc', 'agent-endpoint.creds');
    const r = await run([
      'agent',
      'enroll',
      '--api',
      api,
      '--token',
      'socenr_good',
      '--config',
      config,
      '--creds',
      creds,
    ]);
    expect(r.code).toBe(0);
    expect(readFileSync(creds, 'utf8')).toBe(CREDS);
    expect(readFileSync(config, 'utf8')).toContain(`credsFile: ${creds}`);
  });

  it('refuses credentials that are not this agent’s, or not credentials, and writes nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'soc-enroll-'));
    const mixup = await run(['agent', 'enroll', '--api', api, '--token', 'socenr_mixup', '--out', out]);
    expect(mixup.code).toBe(1);
    expect(mixup.err).toMatch(/credentials are for ag-someone-else, not for ag-0123456789abcdef/);
    const junk = await run(['agent', 'enroll', '--api', api, '--token', 'socenr_junk', '--out', out]);
    expect(junk.code).toBe(1);
    expect(junk.err).toMatch(/credentials are unreadable/);
    expect(readdirSync(out)).toEqual([]);
  });

  it('a refused token exits 1 with the API’s problem title', async () => {
    const r = await run(['agent', 'enroll', '--api', api, '--token', 'socenr_bad']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /soc agent enroll: Authentication required \(HTTP 401\): the enrollment token is invalid/,
    );
  });

  it('says so when the API cannot be reached, or the config does not exist (before using the token)', async () => {
    const down = await run(['agent', 'enroll', '--api', 'http://127.0.0.1:1', '--token', 'socenr_good']);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/cannot reach the API at http:\/\/127\.0\.0\.1:1\/api\/v1\/agents\/enroll/);
    const calls = seen.length;
    const missing = await run([
      'agent',
      'enroll',
      '--api',
      api,
      '--token',
      'socenr_good',
      '--config',
      '/nonexistent/a.yaml',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/does not exist/);
    expect(seen.length).toBe(calls);
  });

  it('needs --api and a token (exit 2), and a URL', async () => {
    expect((await run(['agent', 'enroll', '--token', 't'])).code).toBe(2);
    expect((await run(['agent', 'enroll', '--api', api])).err).toMatch(/--token TOKEN/);
    expect(() => enrollUrl('soc.example')).toThrow(/must be a URL/);
    expect(enrollUrl('https://soc.example/base/')).toBe('https://soc.example/base/api/v1/agents/enroll');
  });
});

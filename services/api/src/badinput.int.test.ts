import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ES_URL, type Harness, ORG_A, skipReason, startHarness } from '../test/harness.ts';

/**
 * Hostile and broken requests against a real listening server: each gets a 4xx
 * `application/problem+json` with a stable type, never a 500 or a stack trace, and the
 * service keeps answering.
 */
describe.skipIf(!ES_URL)(`bad input${skipReason}`, () => {
  let h: Harness;
  let base: string;
  let server: ReturnType<typeof serve>;
  let token: string;
  beforeAll(async () => {
    h = await startHarness('bad');
    token = h.tokens.get(`analyst@${ORG_A}`)!;
    await new Promise<void>((resolve) => {
      server = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
        base = `http://127.0.0.1:${info.port}/api/v1`;
        resolve();
      });
    });
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await h?.close();
  });

  const send = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body,
      duplex: 'half',
    } as RequestInit);

  async function expectProblem(res: Response, status: number, type: string) {
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const p = JSON.parse(text) as { type: string; title: string; status: number };
    expect(p.type).toBe(`https://soc.local/problems/${type}`);
    expect(p.status).toBe(status);
    expect(text).not.toMatch(/at .*\.ts:\d+|node_modules|Error:/);
    return p as { errors?: { field: string; message: string }[] };
  }

  it('malformed JSON is a 400 malformed-json', async () => {
    await expectProblem(await send('POST', '/events/search', '{"query": "x",'), 400, 'malformed-json');
    await expectProblem(
      await send('POST', `/alerts/${h.seeded[ORG_A]!.alert}/close`, 'not json at all'),
      400,
      'malformed-json',
    );
  });

  it('wrong types and unknown fields name the offending field', async () => {
    const p1 = await expectProblem(
      await send('POST', '/events/search', JSON.stringify({ size: 'ten', sort: { field: 1 } })),
      400,
      'validation',
    );
    expect(p1.errors?.map((e) => e.field)).toEqual(expect.arrayContaining(['body.size', 'body.sort.field']));
    const p2 = await expectProblem(
      await send(
        'POST',
        `/alerts/${h.seeded[ORG_A]!.alert}/close`,
        JSON.stringify({ reason: 'false_positive', organization_id: 'org-b' }),
      ),
      400,
      'validation',
    );
    expect(JSON.stringify(p2.errors)).toContain('organization_id');
    const p3 = await expectProblem(
      await send('GET', '/alerts?size=100000&status=pwned&extra=1'),
      400,
      'validation',
    );
    expect(p3.errors?.map((e) => e.field)).toEqual(expect.arrayContaining(['query.size', 'query.status.0']));
  });

  /** Over node:http without keep-alive: the server answers before reading the rest and closes the socket. */
  function rawPost(path: string, chunks: string[], headers: Record<string, string>): Promise<Response> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${base}${path}`,
        {
          method: 'POST',
          agent: false,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () =>
            resolve(
              new Response(Buffer.concat(parts), {
                status: res.statusCode!,
                headers: res.headers as Record<string, string>,
              }),
            ),
          );
        },
      );
      req.on('error', (err) =>
        (err as NodeJS.ErrnoException).code === 'EPIPE' ||
        (err as NodeJS.ErrnoException).code === 'ECONNRESET'
          ? undefined
          : reject(err),
      );
      for (const c of chunks) req.write(c);
      req.end();
    });
  }

  it('bodies over the limit are refused, with or without a content-length', async () => {
    const big = JSON.stringify({ query: 'x'.repeat(100 * 1024) });
    await expectProblem(
      await rawPost('/events/search', [big], { 'content-length': String(big.length) }),
      413,
      'payload-too-large',
    );
    // Chunked: no content-length, the limit applies while streaming.
    await expectProblem(
      await rawPost('/events/search', Array(100).fill('x'.repeat(1024)), { 'transfer-encoding': 'chunked' }),
      413,
      'payload-too-large',
    );
  });

  it('a form post (not JSON) is a 415', async () => {
    await expectProblem(
      await send('POST', '/organizations', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'unsupported-media-type',
    );
  });

  it('query injection attempts are either rejected or searched as plain text', async () => {
    // Field names with scripts, wildcards or JSON are not field names.
    for (const field of ['_source', '*', 'a"}},{"match_all', 'host.name; drop', '../x', "doc['x']"]) {
      const res = await send(
        'POST',
        '/events/search',
        JSON.stringify({ filters: [{ field, op: 'eq', value: 'x' }] }),
      );
      await expectProblem(res, 400, 'validation');
    }
    await expectProblem(
      await send('POST', '/events/top', JSON.stringify({ field: 'script' + '{"source":"x"}' })),
      400,
      'validation',
    );
    // Text meant to break out of the query, or to use query_string features, is just text to simple_query_string.
    for (const query of [
      '*:*',
      'soc.organization.id:org-b',
      '") OR 1=1 --',
      '{"match_all":{}}',
      '/.*/',
      'a'.repeat(1500),
      '_exists_:soc OR soc.organization.id:*',
    ]) {
      const res = await send('POST', '/events/search', JSON.stringify({ query }));
      const text = await res.text();
      expect(res.status, query).toBe(200);
      expect(text).not.toContain('org-b');
    }
    // Range values are not date math to be abused: only ISO or now-N.
    await expectProblem(
      await send('POST', '/events/search', JSON.stringify({ from: 'now-1d||+1000y' })),
      400,
      'validation',
    );
    // A forged cursor (e.g. a point-in-time over another index) is refused.
    const forged = `${Buffer.from(JSON.stringify({ after: [1], pit: 'xyz' })).toString('base64url')}.AAAA`;
    await expectProblem(
      await send('POST', '/events/search', JSON.stringify({ cursor: forged })),
      400,
      'validation',
    );
    await expectProblem(await send('GET', `/alerts?cursor=${forged}`), 400, 'validation');
  });

  it('bad ids and paths are 400/404 problems', async () => {
    await expectProblem(
      await send('GET', `/alerts/${encodeURIComponent('../../_search')}`),
      400,
      'validation',
    );
    await expectProblem(await send('GET', '/no/such/route'), 404, 'not-found');
    await expectProblem(await send('GET', '/alerts/nope'), 404, 'not-found');
  });

  it('bad credentials are 401 problems', async () => {
    await expectProblem(
      await send('GET', '/alerts', undefined, { authorization: 'Bearer not.a.jwt' }),
      401,
      'unauthenticated',
    );
    await expectProblem(
      await send('GET', '/alerts', undefined, { authorization: 'ApiKey sockey_x_y' }),
      401,
      'unauthenticated',
    );
    // A token signed with another key (alg none is refused by the verifier as well).
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"x","roles":["admin"],"all":true,"exp":9999999999}').toString('base64url')}.`;
    await expectProblem(
      await send('GET', '/alerts', undefined, { authorization: `Bearer ${none}` }),
      401,
      'unauthenticated',
    );
  });

  it('responses carry the security headers and no CORS header', async () => {
    const res = await send('GET', '/alerts', undefined, { origin: 'https://evil.example' });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('is still up and answering after all of that', async () => {
    const res = await send('GET', '/alerts');
    expect(res.status).toBe(200);
  });
});

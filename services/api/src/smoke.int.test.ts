import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ES_URL, type Harness, ORG_A, skipReason, startHarness } from '../test/harness.ts';

describe.skipIf(!ES_URL)(`api smoke${skipReason}`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('smoke');
  });
  afterAll(() => h?.close());

  it('lists alerts of the caller organisation only', async () => {
    const res = await h.request('GET', '/alerts', { token: h.tokens.get(`analyst@${ORG_A}`) });
    const body = (await res.json()) as { items: { id: string }[] };
    expect(res.status).toBe(200);
    expect(body.items.map((a) => a.id)).toEqual([`alert-${ORG_A}`]);
  });
});

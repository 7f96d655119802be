import { Client } from '@elastic/elasticsearch';
import { needsStack, stackUrls } from '@soc/test-support';
import { natsServerOnPath } from '@soc/test-support/nats-server';
import { describe, expect, it, onTestFinished } from 'vitest';
import { freePort, ownNatsEnv, startSoc } from './soc-start.ts';

describe.skipIf(!stackUrls)(`soc start, as npm start runs it${needsStack}`, () => {
  it.skipIf(!natsServerOnPath)(
    `reaches "ready", serves the API, raises the demo attack’s alerts with their agency, and stops cleanly on Ctrl-C${
      natsServerOnPath ? '' : ' [skipped: needs nats-server on PATH]'
    }`,
    async () => {
      const started = Date.now();
      // A NATS of its own (as on a fresh machine): the shared one's TELEMETRY stream holds every
      // other suite's events, which a new ingest and detection would read first.
      const port = await freePort();
      const { env } = await ownNatsEnv();
      const { child, output, exited } = await startSoc(port, env);
      const out = output();
      expect(out).toContain('SOC ready');
      expect(out).toContain(`http://127.0.0.1:${port}/api/v1`);

      const api = await fetch(`http://127.0.0.1:${port}/api/v1`);
      expect(api.status).toBe(200);
      expect(await api.json()).toMatchObject({ name: 'soc-api' });
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const missing = await fetch(`http://127.0.0.1:${port}/api/v1/no-such-thing`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toContain('application/problem+json');

      // The demo's attack raised this start's alerts, attributed to the demo agency's systems.
      const es = new Client({ node: stackUrls!.elasticsearchUrl });
      onTestFinished(() => es.close());
      const wanted = {
        'SSH brute force followed by a successful login': 'demo-cong-thong-tin',
        'PowerShell with an encoded command or a download cradle': 'demo-mang-noi-bo',
      };
      type Seen = {
        rule: { title: string };
        organization?: { id: string };
        system?: { id: string };
        security_level?: number;
      };
      let seen: Seen[] = [];
      const until = Date.now() + 60_000;
      while (Date.now() < until) {
        const r = await es
          .search<Seen>({
            index: 'soc-alerts',
            size: 100,
            query: { range: { last_seen: { gte: new Date(started - 120_000).toISOString() } } },
          })
          .catch(() => undefined);
        seen = r?.hits.hits.map((h) => h._source!) ?? [];
        if (Object.keys(wanted).every((t) => seen.some((a) => a.rule.title === t && a.system))) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      for (const [title, system] of Object.entries(wanted))
        expect(seen.find((a) => a.rule.title === title)).toMatchObject({
          organization: { id: 'demo-vp-ubnd' },
          system: { id: system },
        });
      expect(seen.find((a) => a.system?.id === 'demo-cong-thong-tin')?.security_level).toBe(3);

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    },
    120_000,
  );

  it('leaves no service behind when soc start itself is killed with -9', async () => {
    const port = await freePort();
    const { child } = await startSoc(port, { ...process.env, SOC_LOG__LEVEL: 'warn' });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    child.kill('SIGKILL');
    const gone = Date.now() + 15_000;
    let stillUp = true;
    while (stillUp && Date.now() < gone) {
      await new Promise((r) => setTimeout(r, 250));
      stillUp = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => true,
        () => false,
      );
    }
    expect(stillUp).toBe(false);
  }, 120_000);
});

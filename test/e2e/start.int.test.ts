import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { needsStack, stackUrls } from '@soc/test-support';
import { natsServerOnPath } from '@soc/test-support/nats-server';
import { describe, expect, it, onTestFinished } from 'vitest';

const SOC = join(import.meta.dirname, '../../services/cli/bin/soc.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!stackUrls)(`soc start, as npm start runs it${needsStack}`, () => {
  it.skipIf(!natsServerOnPath)(
    `reaches "ready", serves the API, raises the demo attack’s alerts with their agency, and stops cleanly on Ctrl-C${
      natsServerOnPath ? '' : ' [skipped: needs nats-server on PATH]'
    }`,
    async () => {
      const started = Date.now();
      // A NATS of its own (as on a fresh machine): the shared one's TELEMETRY stream holds every
      // other suite's events, which a new ingest and detection would read first.
      const varDir = mkdtempSync(join(tmpdir(), 'soc-start-'));
      onTestFinished(() => rmSync(varDir, { recursive: true, force: true }));
      const [port, natsPort, natsMonitorPort, altPort, altMonitorPort] = await Promise.all(
        Array.from({ length: 5 }, freePort),
      );
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        SOC_VAR_DIR: varDir,
        SOC_LOG__LEVEL: 'warn',
        SOC_STACK__NATS_PORT: String(natsPort),
        SOC_STACK__NATS_MONITOR_PORT: String(natsMonitorPort),
        SOC_STACK__NATS_ALT_PORT: String(altPort),
        SOC_STACK__NATS_ALT_MONITOR_PORT: String(altMonitorPort),
        ELASTICSEARCH_URL: stackUrls!.elasticsearchUrl,
      };
      delete env.NATS_URL;
      const child = spawn(process.execPath, [SOC, 'start', '--api-port', String(port)], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        out += d;
      });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      onTestFinished(() => {
        // A failed assertion must not leave a SOC running behind the test run.
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      const deadline = Date.now() + 90_000;
      while (!out.includes('SOC ready') && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 200));
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
    const child = spawn(process.execPath, [SOC, 'start', '--api-port', String(port)], {
      env: { ...process.env, SOC_LOG__LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const deadline = Date.now() + 90_000;
    while (!out.includes('SOC ready') && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 200));
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

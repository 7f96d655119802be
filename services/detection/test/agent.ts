import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EndpointAgent, endpointConfigSchema, startEndpointAgent } from '@soc/agent-endpoint';
import { createLogger } from '@soc/core';
import type { StarterCase } from './starter.ts';

const tokenOf = (file: string) => file.replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * Writes the fixtures as log files — true positives under `tp/`, benign events under `bn/` —
 * and starts the real endpoint agent tailing them, one input per file.
 */
export async function runAgentOnFixtures(
  dir: string,
  natsUrl: string,
  agentId: string,
  cases: StarterCase[],
  which: ('tp' | 'bn')[] = ['tp', 'bn'],
): Promise<{ agent: EndpointAgent; inputs: string[] }> {
  const files = new Map<string, { format: 'lines' | 'json'; lines: string[] }>();
  for (const c of cases)
    for (const kind of which) {
      const key = `${kind}/${c.file}`;
      const f = files.get(key) ?? { format: c.format, lines: [] };
      for (const e of kind === 'tp' ? c.true_positive : c.benign)
        f.lines.push(typeof e === 'string' ? e : JSON.stringify(e));
      files.set(key, f);
    }
  const inputs = [];
  for (const [key, f] of files) {
    const path = join(dir, 'logs', key);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `${f.lines.join('\n')}\n`);
    inputs.push({ name: tokenOf(key), type: 'file', paths: [path], format: f.format });
  }
  const config = endpointConfigSchema.parse({
    agent: { id: agentId, dataDir: join(dir, 'agent-data') },
    nats: { url: natsUrl },
    log: { level: 'warn' },
    tail: { pollMs: 50 },
    heartbeat: { intervalS: 3600 },
    inputs,
  });
  const agent = await startEndpointAgent(
    config,
    createLogger({ service: 'agent-test', level: 'warn', pretty: false }),
  );
  return { agent, inputs: inputs.map((i) => i.name) };
}

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureNatsAuth } from './nats-auth.ts';

const saved = { ...process.env };
const dirs: string[] = [];
afterEach(() => {
  process.env = { ...saved };
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the stack keys of NATS authorization', () => {
  it('are private (0700 directory, 0600 files) without locking anyone out of var/', async () => {
    const root = mkdtempSync(join(tmpdir(), 'soc-var-auth-'));
    dirs.push(root);
    // A fresh clone: var/ does not exist yet when the keys are made, before Elasticsearch.
    const varDir = join(root, 'var');
    process.env.SOC_VAR_DIR = varDir;
    const { auth } = await ensureNatsAuth();
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(auth.dir)).toBe(0o700);
    expect(mode(auth.servicesCreds)).toBe(0o600);
    expect(mode(auth.signingKeyFile)).toBe(0o600);
    // The Elasticsearch user must traverse var/ to reach its distribution under var/cache.
    expect(mode(varDir) & 0o005).toBe(0o005);
    expect(mode(join(varDir, 'nats')) & 0o005).toBe(0o005);
  });
});

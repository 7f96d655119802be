import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEndpointConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'soc-epcfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(text: string): string {
  const f = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, text);
  return f;
}

describe('endpoint configuration', () => {
  it('loads the shipped example, sizes and all', () => {
    const c = loadEndpointConfig(resolve(import.meta.dirname, '../endpoint.example.yaml'), {});
    expect(c.buffer.maxBytes).toBe(256 * 1024 ** 2);
    expect(c.inputs.map((i) => i.name)).toEqual(['nginx', 'suricata', 'app', 'journal', 'fim', 'inventory']);
    expect(c.inputs[2]).toMatchObject({ type: 'file', maxLineBytes: 64 * 1024 });
    expect(c.inputs[1]).toMatchObject({ type: 'file', format: 'json' });
    expect(c.inputs[3]).toMatchObject({
      type: 'journald',
      priority: 'info',
      identifiers: ['sshd', 'sudo', 'su'],
    });
    expect(c.inputs[4]).toMatchObject({ type: 'fim', maxHashBytes: 64 * 1024 ** 2, scanIntervalS: 900 });
    expect(c.inputs[5]).toMatchObject({ type: 'inventory', intervalS: 3600, packages: true });
  });

  it('reports every problem at once, each with its key and where it came from', () => {
    const f = file(
      [
        'agent: { id: "web.01", dataDir: /tmp/x }',
        'buffer: { maxBytes: 1MiB, segmentBytes: 8MiB, fsync: sometimes }',
        'inputs:',
        '  - { name: a, type: file, paths: [relative/*.log], multiline: { start: "([" } }',
        '  - { name: a, type: file, paths: [/x], colour: blue }',
      ].join('\n'),
    );
    let message = '';
    try {
      loadEndpointConfig(f, { NATS_URL: 'nats://x:4222' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const expected of [
      /agent\.id \(file .*\): letters, digits/,
      /buffer\.fsync \(file .*\)/,
      /inputs\.0\.paths\.0 \(file .*\): must be an absolute path/,
      /inputs\.0\.multiline\.start \(file .*\): not a valid regular expression/,
      /inputs\.1 \(file .*\): Unrecognized key.*colour/,
    ])
      expect(message).toMatch(expected);
  });

  it('lets the environment override the file (NATS_URL, SOC_*)', () => {
    const f = file('agent: { dataDir: /tmp/x }\ninputs: [{ name: a, type: file, paths: [/x] }]\n');
    const c = loadEndpointConfig(f, { NATS_URL: 'nats://other:4222', SOC_BUFFER__FSYNC: 'always' });
    expect(c.nats.url).toBe('nats://other:4222');
    expect(c.buffer.fsync).toBe('always');
    expect(c.agent.id).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('rejects a buffer smaller than two segments', () => {
    const f = file(
      'agent: { dataDir: /tmp/x }\nbuffer: { maxBytes: 1MiB, segmentBytes: 1MiB }\ninputs: [{ name: a, type: file, paths: [/x] }]\n',
    );
    expect(() => loadEndpointConfig(f, {})).toThrow(/buffer\.maxBytes .*twice segmentBytes/);
  });

  it('validates the journald, FIM and inventory inputs like the file input', () => {
    const f = file(
      [
        'agent: { dataDir: /tmp/x }',
        'inputs:',
        '  - { name: j, type: journald, priority: loud, directory: relative/dir }',
        '  - { name: f, type: fim, paths: [etc], maxHashBytes: lots }',
        '  - { name: i, type: inventory, intervalS: 0, extra: 1 }',
        '  - { name: k, type: kafka }',
      ].join('\n'),
    );
    let message = '';
    try {
      loadEndpointConfig(f, {});
    } catch (err) {
      message = (err as Error).message;
    }
    for (const expected of [
      /inputs\.0\.priority/,
      /inputs\.0\.directory .*absolute path/,
      /inputs\.1\.paths\.0 .*absolute path/,
      /inputs\.1\.maxHashBytes .*size/,
      /inputs\.2\.intervalS/,
      /inputs\.2 .*Unrecognized key.*extra/,
      /inputs\.3\.type/,
    ])
      expect(message).toMatch(expected);
  });

  it('gives the new inputs defaults that need no further keys', () => {
    const f = file(
      'agent: { dataDir: /tmp/x }\ninputs: [{ name: j, type: journald }, { name: f, type: fim, paths: [/etc] }, { name: i, type: inventory }]\n',
    );
    const [j, fim, inv] = loadEndpointConfig(f, {}).inputs;
    expect(j).toMatchObject({
      journalctl: 'journalctl',
      startAt: 'beginning',
      units: [],
      maxEntryBytes: 512 * 1024,
    });
    expect(fim).toMatchObject({ recursive: true, realtime: true, reportBaseline: false, maxFiles: 50_000 });
    expect(inv).toMatchObject({
      osRelease: '/etc/os-release',
      procNet: '/proc/net',
      ports: true,
      users: true,
    });
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNetworkConfig, networkConfigSchema } from './config.ts';

describe('network agent configuration', () => {
  const base = { agent: { id: 'fw-collector', dataDir: '/tmp/x' } };

  it('defaults: any address, 64 KiB messages', () => {
    const c = networkConfigSchema.parse({
      ...base,
      inputs: [{ name: 'syslog-udp', type: 'syslog', protocol: 'udp', port: 514, maxMessageBytes: '8KiB' }],
    });
    expect(c.inputs[0]).toMatchObject({ host: '0.0.0.0', port: 514, maxMessageBytes: 8192 });
  });

  it('rejects tls without a certificate, missing files, unknown keys, duplicate names', () => {
    const bad = (inputs: unknown[]) => networkConfigSchema.safeParse({ ...base, inputs }).success;
    expect(bad([{ name: 't', type: 'syslog', protocol: 'tls', port: 6514 }])).toBe(false);
    expect(
      bad([
        {
          name: 't',
          type: 'syslog',
          protocol: 'tls',
          port: 6514,
          tls: { cert: '/nope.pem', key: '/nope.key' },
        },
      ]),
    ).toBe(false);
    expect(bad([{ name: 'u', type: 'syslog', protocol: 'udp', port: 514, bogus: 1 }])).toBe(false);
    const u = { name: 'u', type: 'syslog', protocol: 'udp', port: 514 };
    expect(bad([u, { ...u, protocol: 'tcp' }])).toBe(false);
    expect(bad([u])).toBe(true);
  });

  it('the annotated example is valid (with its certificate paths pointing at files that exist)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-netcfg-'));
    try {
      writeFileSync(join(dir, 'x.pem'), 'placeholder');
      const example = readFileSync(new URL('../network.example.yaml', import.meta.url), 'utf8').replace(
        /\/etc\/soc\/syslog-tls\.(crt|key)/g,
        join(dir, 'x.pem'),
      );
      writeFileSync(join(dir, 'c.yaml'), example);
      const c = loadNetworkConfig(join(dir, 'c.yaml'), {});
      expect(c.inputs.map((i) => i.type)).toEqual(['syslog', 'syslog', 'syslog', 'snmp-trap', 'snmp-poll']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

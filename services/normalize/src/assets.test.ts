import { describe, expect, it } from 'vitest';
import { AssetRegistry, enrich } from './assets.ts';
import { get } from './doc.ts';

const { registry, rejected } = AssetRegistry.fromDocuments([
  {
    id: 'a1',
    hostnames: ['web01', 'portal.so-tttt.gov.vn'],
    ips: ['10.20.1.10'],
    system: { id: 'htt-portal', name: 'Cổng thông tin điện tử' },
    organization: { id: 'so-tttt', name: 'Sở Thông tin và Truyền thông' },
    security_level: 3,
  },
  {
    id: 'a2',
    ips: ['10.30.0.0/16', '2001:db8:30::/48'],
    system: { id: 'wan', name: 'Mạng WAN tỉnh' },
    organization: { id: 'so-tttt' },
    security_level: 4,
  },
  { id: 'bad', system: { id: 'x' }, organization: { id: 'y' }, security_level: 9 },
]);

describe('asset registry enrichment', () => {
  it('rejects an invalid registry entry with the reason, keeps the rest', () => {
    expect(registry.size).toBe(2);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatch(/security_level/);
  });

  it('by host name (case, short name), by address, by range (IPv4 and IPv6)', () => {
    const doc: Record<string, unknown> = { host: { name: 'WEB01.corp.local' } };
    enrich(doc, registry);
    expect(get(doc, 'soc')).toEqual({
      asset: { known: true, id: 'a1', matched_by: 'host.name' },
      system: { id: 'htt-portal', name: 'Cổng thông tin điện tử' },
      organization: { id: 'so-tttt', name: 'Sở Thông tin và Truyền thông' },
      security_level: 3,
    });
    const dev: Record<string, unknown> = { host: { name: 'switch01' }, observer: { ip: '10.30.4.5' } };
    expect(enrich(dev, registry)?.id).toBe('a2');
    expect(get(dev, 'soc.asset.matched_by')).toBe('observer.ip');
    expect(registry.byIp('2001:db8:30:1::5')?.id).toBe('a2');
    expect(registry.byIp('2001:db8:31::5')).toBeUndefined();
    expect(registry.byIp('10.31.0.1')).toBeUndefined();
  });

  it('flags an unknown asset and keeps the document', () => {
    const doc: Record<string, unknown> = { host: { name: 'stranger' } };
    expect(enrich(doc, registry)).toBeUndefined();
    expect(get(doc, 'soc')).toEqual({ asset: { known: false } });
    const none: Record<string, unknown> = {};
    enrich(none, undefined);
    expect(get(none, 'soc.asset.known')).toBe(false);
  });
});

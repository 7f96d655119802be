import { describe, expect, it } from 'vitest';
import { oidName } from './oids.ts';
import { trapEvent, varbindValue } from './trap.ts';

const rinfo = { address: '192.0.2.9', port: 40000 };

describe('SNMP notification → event', () => {
  it('v1 enterprise-specific trap: enterprise.0.specific as the OID, no standard name', () => {
    const e = trapEvent({
      pdu: {
        type: 164,
        enterprise: '1.3.6.1.4.1.9',
        agentAddr: '10.0.0.1',
        generic: 6,
        specific: 42,
        upTime: 99,
        varbinds: [],
      },
      rinfo,
    });
    expect(e).toMatchObject({
      version: '1',
      trap: { oid: '1.3.6.1.4.1.9.0.42' },
      uptime: 99,
      agentAddress: '10.0.0.1',
      source: { ip: '192.0.2.9', port: 40000 },
    });
    expect((e.trap as { name?: string }).name).toBeUndefined();
  });

  it('values a JSON reader keeps exactly: binary octets as hex, Counter64 as a decimal string', () => {
    expect(varbindValue({ oid: '1', type: 4, value: Buffer.from([0x00, 0x1b, 0x21, 0xff]) })).toBe(
      '001b21ff',
    );
    expect(varbindValue({ oid: '1', type: 4, value: Buffer.from('Gi0/1 Việt') })).toBe('Gi0/1 Việt');
    expect(varbindValue({ oid: '1', type: 70, value: Buffer.from('0100000000000000', 'hex') })).toBe(
      '72057594037927936',
    );
    expect(varbindValue({ oid: '1', type: 5, value: null })).toBeNull();
  });

  it('names table columns with their row and leaves unknown OIDs numeric', () => {
    expect(oidName('1.3.6.1.2.1.2.2.1.14.7')).toBe('ifInErrors.7');
    expect(oidName('1.3.6.1.6.3.1.1.5.4')).toBe('linkUp');
    expect(oidName('1.3.6.1.4.1.9.9.1')).toBeUndefined();
  });
});

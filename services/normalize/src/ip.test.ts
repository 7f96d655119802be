import { describe, expect, it } from 'vitest';
import { canonicalIp } from './ip.ts';

describe('canonicalIp', () => {
  it('keeps canonical IPv4 as it is', () => {
    for (const ip of ['0.0.0.0', '10.20.30.40', '255.255.255.255', '192.168.1.1'])
      expect(canonicalIp(ip)).toBe(ip);
  });
  it('rewrites IPv4 with leading zeros or spaces, refuses parts over 255 and wrong shapes', () => {
    expect(canonicalIp('010.001.000.009')).toBe('10.1.0.9');
    expect(canonicalIp(' 10.0.0.1 ')).toBe('10.0.0.1');
    expect(canonicalIp('256.1.1.1')).toBeUndefined();
    expect(canonicalIp('1.2.3')).toBeUndefined();
    expect(canonicalIp('1.2.3.4.5')).toBeUndefined();
    expect(canonicalIp('1..3.4')).toBeUndefined();
    expect(canonicalIp('1.2.3.4.')).toBeUndefined();
  });
  it('compresses and lowercases IPv6, unwraps IPv4-mapped, drops brackets and zones', () => {
    expect(canonicalIp('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canonicalIp('[fe80::1%eth0]')).toBe('fe80::1');
    expect(canonicalIp('::ffff:10.1.2.3')).toBe('10.1.2.3');
  });
  it('is undefined for host names and non-strings', () => {
    expect(canonicalIp('web-01.example.gov.vn')).toBeUndefined();
    expect(canonicalIp('dead:beef')).toBeUndefined();
    expect(canonicalIp(42)).toBeUndefined();
    expect(canonicalIp(undefined)).toBeUndefined();
  });
});

import { describe, expect, it } from '@jest/globals';
import { clientLimitKey } from './client-address.js';

describe('clientLimitKey', () => {
  it('keeps an IPv4 address, and reads an IPv4-mapped IPv6 address as the IPv4 one', () => {
    expect(clientLimitKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientLimitKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientLimitKey('::FFFF:cb00:7109')).toBe('203.0.113.9');
  });

  // Guards an IPv6 client taking a fresh budget per address: one /64 (a single customer's line) holds 2^64.
  it('keys an IPv6 address by its /64, however it is written', () => {
    const key = clientLimitKey('2001:db8:7:7::1');
    expect(clientLimitKey('2001:0db8:0007:0007:ffff:ffff:ffff:ffff')).toBe(key);
    expect(clientLimitKey('2001:DB8:7:7:1:2:3:4')).toBe(key);
    expect(clientLimitKey('2001:db8:7:7::1%eth0')).toBe(key);
    expect(clientLimitKey('2001:db8:7:8::1')).not.toBe(key);
    expect(clientLimitKey('::1')).toBe(clientLimitKey('::2'));
    expect(key).toBe('2001:db8:7:7::/64');
  });
});

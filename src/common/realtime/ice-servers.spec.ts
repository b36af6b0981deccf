import { describe, expect, it } from '@jest/globals';
import { iceServersFor, turnCredential } from './ice-servers.js';

const config = { stunUrls: ['stun:stun.shop.example:3478'], turnUrls: ['turn:turn.shop.example:3478?transport=udp'], turnSecret: 'north-wind-static-secret', turnTtlSeconds: 3600, iceTransportPolicy: 'all' as const };

describe('iceServersFor', () => {
  // The vector was computed with `printf %s '1700003600:member-1' | openssl dgst -sha1 -hmac north-wind-static-secret -binary | base64`:
  // a credential coturn would not recompute the same way fails every TURN allocation.
  it('makes TURN REST API credentials that expire after the TTL', () => {
    expect(turnCredential('north-wind-static-secret', '1700003600:member-1')).toBe('garx/rszJj9nopOKO9tmacVnwgE=');
    expect(iceServersFor(config, 'member-1', new Date(1_700_000_000_500))).toEqual([
      { urls: ['stun:stun.shop.example:3478'] },
      { urls: ['turn:turn.shop.example:3478?transport=udp'], username: '1700003600:member-1', credential: 'garx/rszJj9nopOKO9tmacVnwgE=' },
    ]);
  });

  it('hands out STUN only, or nothing, when no TURN server is configured', () => {
    expect(iceServersFor({ ...config, turnUrls: [], turnSecret: null }, 'v', new Date())).toEqual([{ urls: ['stun:stun.shop.example:3478'] }]);
    expect(iceServersFor({ stunUrls: [], turnUrls: [], turnSecret: null, turnTtlSeconds: 60, iceTransportPolicy: 'all' }, 'v', new Date())).toEqual([]);
  });
});

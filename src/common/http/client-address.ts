import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';
import proxyAddr from 'proxy-addr';
import type { TrustProxy } from '../config/config.js';

/**
 * The client's address for limits, read the same way for HTTP (Fastify's `request.ip`, whose `trustProxy` is this
 * function, set in hub.ts) and for sockets: `X-Forwarded-For` counts only through the proxies the operator trusts, so a
 * client cannot dodge a per-address limit by sending a new header each time.
 */
export function trustFunction(trust: TrustProxy): (address: string, hop: number) => boolean {
  if (trust === null) return () => false;
  if ('hops' in trust) return (_address, hop) => hop < trust.hops;
  return proxyAddr.compile(trust.addresses);
}

/** The address of the client behind a socket.io connection (its handshake request). */
export function clientAddressOf(request: IncomingMessage, trust: TrustProxy): string {
  return proxyAddr(request, trustFunction(trust));
}

/**
 * The key a per-client limit counts under. An IPv4 address (also written IPv4-mapped in IPv6) is one client; an
 * IPv6 client is its /64, because one customer line or host is routinely handed a whole /64 and could otherwise take
 * a fresh budget from each of its 2^64 addresses.
 */
export function clientLimitKey(address: string): string {
  const bare = address.split('%')[0];
  if (!ipaddr.isValid(bare)) return address;
  const parsed = ipaddr.process(bare);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const prefix = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...prefix, 0, 0, 0, 0]).toString()}/64`;
}

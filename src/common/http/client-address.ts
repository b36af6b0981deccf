import type { IncomingMessage } from 'node:http';
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

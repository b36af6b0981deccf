import ipaddr from 'ipaddr.js';

/**
 * Why an address may not be called from the hub, or null for an ordinary public unicast address. The ranges are
 * ipaddr.js's (IANA special-purpose registries): loopback, private, link-local (the cloud metadata service at
 * 169.254.169.254), carrier-grade NAT, multicast, broadcast, unspecified, reserved, documentation, and the IPv6
 * forms that embed an IPv4 address (mapped, NAT64, 6to4, Teredo), which could smuggle any of the others.
 */
export function specialRangeOf(address: string): string | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(bare)) return 'not an IP address';
  // process() turns ::ffff:a.b.c.d into a.b.c.d, so a mapped loopback is judged as the loopback it is.
  const range = ipaddr.process(bare).range();
  return range === 'unicast' ? null : range;
}

/** True for an IP literal (IPv4, or IPv6 with or without brackets); false for a host name. */
export function isIpLiteral(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return ipaddr.isValid(bare) && (bare.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(bare));
}

/** A host as origins are compared: lower case, IPv6 without brackets and in its canonical short form. */
export function canonicalHost(host: string): string {
  const bare = (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host).toLowerCase();
  return bare.includes(':') && ipaddr.IPv6.isValid(bare) ? ipaddr.IPv6.parse(bare).toString() : bare;
}

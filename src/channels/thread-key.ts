import { IDENTITY_KINDS } from '../common/channel-types.js';
import type { IdentityKind } from '../common/channel-types.js';
import type { ChannelAddress } from './channel-adapter.js';

const isIdentityKind = (value: string): value is IdentityKind => (IDENTITY_KINDS as readonly string[]).includes(value);

/** The address a key names, or null when the key has no known kind. */
function read(key: string): ChannelAddress | null {
  const at = key.indexOf(':');
  const kind = at < 0 ? '' : key.slice(0, at);
  return isIdentityKind(kind) ? { kind, address: key.slice(at + 1) } : null;
}

/**
 * Who a conversation answers on its channel: the customer's address, or the address of the group they write in
 * (a LINE group or room). Stored as `<kind>:<address>`, which is also the key of the conversation's one live thread
 * per channel (`activeKey`).
 */
export const ThreadKey = {
  of(address: Pick<ChannelAddress, 'kind' | 'address'>): string {
    return `${address.kind}:${address.address}`;
  },

  /** A web chat's thread: the visitor id the browser keeps. */
  ofVisitor(visitorId: string): string {
    return ThreadKey.of({ kind: 'visitor', address: visitorId });
  },

  /** The address a stored key names; a key of no known kind is a bug, not a customer, and throws. */
  parse(key: string): ChannelAddress {
    const address = read(key);
    if (!address) throw new Error(`Not a thread key: ${key}`);
    return address;
  },

  /** The web chat visitor a key names, or null for any other thread. */
  visitorOf(key: string): string | null {
    const address = read(key);
    return address?.kind === 'visitor' ? address.address : null;
  },
};

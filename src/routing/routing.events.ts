import { DomainEvents } from '../common/events/domain-events.js';
import type { InboxOffer, InboxTransfer } from '../common/realtime/events/index.js';

/** An offer as the member's devices show it (docs/socket-protocols.md, `offer`): the shared event map's shape. */
export type OfferView = InboxOffer;

export type TransferView = InboxTransfer;

/** Emitted after commit; the inbox gateway carries them to every device of the members named. */
export interface RoutingEventMap {
  [name: string]: unknown;
  'offer.created': { teamId: string; memberId: string; offer: OfferView };
  'offer.withdrawn': { teamId: string; memberId: string; offerId: string; conversationId: string; reason: 'taken' | 'expired' | 'cancelled' };
  /** To the sender of a transfer: accepted, or not accepted in time (the chat stayed theirs), or cancelled. */
  'transfer.updated': { teamId: string; memberId: string; transfer: TransferView };
}

export class RoutingEvents extends DomainEvents<RoutingEventMap> {}

import { DomainEvents } from '../common/events/domain-events.js';

/** An offer as the member's devices show it (docs/socket-protocols.md, `offer`). */
export interface OfferView {
  id: string;
  conversationId: string;
  expiresAt: string;
  channel: { id: string; type: string };
  preview: string | null;
  /** Set when a colleague transfers the chat: who, and their note. */
  transfer: { id: string; fromMemberId: string; note: string | null } | null;
}

export interface TransferView {
  id: string;
  conversationId: string;
  fromMemberId: string;
  toMemberId: string | null;
  groupId: string | null;
  note: string | null;
  status: 'pending' | 'accepted' | 'expired' | 'cancelled';
  acceptedById: string | null;
  expiresAt: string;
}

/** Emitted after commit; the inbox gateway carries them to every device of the members named. */
export interface RoutingEventMap {
  [name: string]: unknown;
  'offer.created': { teamId: string; memberId: string; offer: OfferView };
  'offer.withdrawn': { teamId: string; memberId: string; offerId: string; conversationId: string; reason: 'taken' | 'expired' | 'cancelled' };
  /** To the sender of a transfer: accepted, or not accepted in time (the chat stayed theirs), or cancelled. */
  'transfer.updated': { teamId: string; memberId: string; transfer: TransferView };
}

export class RoutingEvents extends DomainEvents<RoutingEventMap> {}

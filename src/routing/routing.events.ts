import { DomainEvents } from '../common/events/domain-events.js';

export interface OfferView {
  id: string;
  conversationId: string;
  expiresAt: string;
}

/** Emitted after commit; the inbox gateway carries them to every device of the members named. */
export interface RoutingEventMap {
  [name: string]: unknown;
  'offer.created': { teamId: string; memberId: string; offer: OfferView };
  'offer.withdrawn': { teamId: string; memberId: string; offerId: string; conversationId: string; reason: 'taken' | 'expired' };
}

export class RoutingEvents extends DomainEvents<RoutingEventMap> {}

import { DomainEvents } from '../common/events/domain-events.js';
import type { SalesFigure, ShopperEventView } from './sales.views.js';

/** Emitted after commit; `teamId` scopes who may hear them. */
export interface SalesEventMap {
  [name: string]: unknown;
  /** A purchase credited to a member: every device of theirs hears it. */
  'sale.created': { teamId: string; memberId: string; sale: { id: string; orderId: string; amount: number; currency: string; conversationId: string; occurredAt: string } };
  /** A credited sale refunded or cancelled. */
  'sale.reversed': { teamId: string; memberId: string; sale: { id: string; orderId: string; status: 'refunded' | 'cancelled'; conversationId: string } };
  /** A member's panel figure changed (a sale, a reversal, a new chat answered). */
  'sales.figure': { teamId: string; memberId: string; figure: SalesFigure };
  /** What a shopper did, for each live conversation with that browser. */
  'shopper.activity': { teamId: string; conversationId: string; event: ShopperEventView };
}

export class SalesEvents extends DomainEvents<SalesEventMap> {}

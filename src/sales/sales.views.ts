import type { z } from 'zod';
import type { InboxSalesFigure, InboxShopperEvent, shopperProductView } from '../common/realtime/events/index.js';
import type { attributionReasonView, saleView } from './sales.schema.js';

// The types are the zod views' (sales.schema.ts and the shared socket views): what the routes answer with.

/** One thing a shopper did on the shop's site, as agents see it. */
export type ShopperEventView = InboxShopperEvent;
export type ShopperProductView = z.output<typeof shopperProductView>;
/** Why a sale went where it went: enough to explain it to the agent and to a supervisor. */
export type AttributionReason = z.output<typeof attributionReasonView>;
export type SaleView = z.output<typeof saleView>;
/** A member's live panel figure: today (in the team's time zone) and the window sales are credited in. */
export type SalesFigure = InboxSalesFigure;

/**
 * What became of the widgets' `purchase` events naming the order, when the shop did not name the browser:
 * `visitor_claim` one browser claimed it within 24 hours before the report and is matched; `claim_contested`
 * several browsers did, so none is; `claim_expired` only claims older than that exist, so none is.
 */
export type ClaimOutcome = 'visitor_claim' | 'claim_contested' | 'claim_expired';

/** Per currency: amounts in different currencies are never added together. */
export type Amounts = Record<string, number>;

type SaleRow = {
  id: string;
  orderId: string;
  amount: number;
  currency: string;
  occurredAt: Date;
  items: unknown;
  status: SaleView['status'];
  memberId: string | null;
  conversationId: string | null;
  reason: unknown;
  seenAt: Date | null;
  reversedAt: Date | null;
  createdAt: Date;
};

export function toSaleView(row: SaleRow): SaleView {
  return {
    id: row.id,
    orderId: row.orderId,
    amount: row.amount,
    currency: row.currency,
    occurredAt: row.occurredAt.toISOString(),
    items: Array.isArray(row.items) ? row.items : [],
    status: row.status,
    attributedTo: row.memberId && row.conversationId ? { memberId: row.memberId, conversationId: row.conversationId } : null,
    reason: row.reason as AttributionReason,
    new: row.memberId !== null && row.seenAt === null,
    seenAt: row.seenAt?.toISOString() ?? null,
    reversedAt: row.reversedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

type ShopperEventRow = {
  id: string;
  type: ShopperEventView['type'];
  visitorId: string;
  url: string | null;
  product: unknown;
  order: unknown;
  occurredAt: Date;
};

export function toShopperEventView(row: ShopperEventRow): ShopperEventView {
  return {
    id: row.id,
    type: row.type,
    visitorId: row.visitorId,
    url: row.url,
    product: (row.product ?? null) as ShopperProductView | null,
    order: (row.order ?? null) as ShopperEventView['order'],
    occurredAt: row.occurredAt.toISOString(),
  };
}

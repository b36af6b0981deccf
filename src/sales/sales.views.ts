/** One thing a shopper did on the shop's site, as agents see it. */
export interface ShopperEventView {
  id: string;
  type: 'page_view' | 'product_view' | 'add_to_cart' | 'purchase';
  visitorId: string;
  url: string | null;
  product: ShopperProductView | null;
  order: { id: string; amount?: number; currency?: string } | null;
  occurredAt: string;
}

export interface ShopperProductView {
  sku: string;
  name?: string;
  price?: number;
  currency?: string;
  url?: string;
  image?: string;
  quantity?: number;
}

/**
 * What became of the widgets' `purchase` events naming the order, when the shop did not name the browser:
 * `visitor_claim` one browser claimed it within 24 hours before the report and is matched; `claim_contested`
 * several browsers did, so none is; `claim_expired` only claims older than that exist, so none is.
 */
export type ClaimOutcome = 'visitor_claim' | 'claim_contested' | 'claim_expired';

/** Why a sale went where it went: enough to explain it to the agent and to a supervisor. */
export interface AttributionReason {
  rule: 'last_touch' | 'first_touch';
  windowDays: number;
  /** How the purchase was tied to the chat: the same browser (`visitor`), or the contact's email or phone (`identity`). */
  match: 'visitor' | 'identity' | null;
  /** With `visitor`: whether the shop sent the visitor id, or the widget saw this order on that browser. */
  visitorFrom?: 'purchase' | 'widget_order';
  /** With `identity`: which address matched, and whose it is. */
  identity?: { kind: 'email' | 'phone'; contactId: string };
  /** Present when the widget saw the order and the shop did not name the browser. */
  claim?: ClaimOutcome;
  conversationId: string | null;
  memberId: string | null;
  /** The credited member's first reply in that conversation: where the window starts. */
  repliedAt: string | null;
  /** Chats within the window that could have been credited. */
  candidates: number;
  /** The same, in one sentence. */
  explanation: string;
}

export interface SaleView {
  id: string;
  orderId: string;
  amount: number;
  currency: string;
  occurredAt: string;
  items: unknown[];
  status: 'completed' | 'refunded' | 'cancelled';
  attributedTo: { memberId: string; conversationId: string } | null;
  reason: AttributionReason;
  /** Not yet opened by the credited member (shown as new). */
  new: boolean;
  seenAt: string | null;
  reversedAt: string | null;
  createdAt: string;
}

/** Per currency: amounts in different currencies are never added together. */
export type Amounts = Record<string, number>;

/** A member's live panel figure: today (in the team's time zone) and the window sales are credited in. */
export interface SalesFigure {
  memberId: string;
  date: string;
  timeZone: string;
  chats: number;
  sales: { count: number; amounts: Amounts };
  windowDays: number;
  model: 'last_touch' | 'first_touch';
}

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

import { z } from 'zod';
import { currencyCode, minorUnits, shopperProduct, visitorIdSchema } from '../channels/index.js';
import { pageView } from '../common/http/validation.js';
import { inboxSalesFigureView, inboxShopperEventView, shopperProductView } from '../common/realtime/events/index.js';

const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 time such as 2026-12-04T12:00:00Z' });
const day = z.iso.date({ error: 'must be a date such as 2026-12-04' });

/** `POST /api/purchases`: the shop's server reports an order. */
export const purchaseBody = z.strictObject({
  orderId: z.string().trim().min(1).max(100),
  visitorId: visitorIdSchema.optional(),
  email: z.string().trim().min(1).max(320).optional(),
  phone: z.string().trim().min(1).max(40).optional(),
  amount: minorUnits,
  currency: currencyCode,
  occurredAt: isoTime,
  items: z.array(shopperProduct).max(500).optional(),
});

export type PurchaseInput = z.output<typeof purchaseBody>;

export const reverseBody = z.strictObject({ reason: z.string().trim().max(500).optional() });

export const salesQuery = z.strictObject({
  memberId: z.uuid().optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  /** true: only credited sales; false: only unattributed ones (supervisors). */
  attributed: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
  /** true: only refunded and cancelled sales; false: only those that stand. */
  reversed: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export type SalesQuery = z.output<typeof salesQuery>;

export const figuresQuery = z.strictObject({ memberId: z.uuid().optional() });

/** Days in the team's time zone, both included; at most a year at once. */
export const reportQuery = z
  .strictObject({
    from: day.optional(),
    to: day.optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, { path: ['to'], message: 'must not be before from' });

export type ReportQuery = z.output<typeof reportQuery>;

// What the routes answer with (documented in openapi.json through @Answers, which holds each route to its view).

const saleStatus = z.enum(['completed', 'refunded', 'cancelled']);
const attributedTo = z.object({ memberId: z.string(), conversationId: z.string() }).nullable();
const amounts = z.record(z.string(), z.number());

/** Why a sale went where it went: enough to explain it to the agent and to a supervisor. */
export const attributionReasonView = z
  .object({
    rule: z.enum(['last_touch', 'first_touch']),
    windowDays: z.number(),
    /** How the purchase was tied to the chat: the same browser (`visitor`), or the contact's email or phone (`identity`). */
    match: z.enum(['visitor', 'identity']).nullable(),
    /** With `visitor`: whether the shop sent the visitor id, or the widget saw this order on that browser. */
    visitorFrom: z.enum(['purchase', 'widget_order']).optional(),
    /** With `identity`: which address matched, and whose it is. */
    identity: z.object({ kind: z.enum(['email', 'phone']), contactId: z.string() }).optional(),
    /** Present when the widget saw the order and the shop did not name the browser. */
    claim: z.enum(['visitor_claim', 'claim_contested', 'claim_expired']).optional(),
    conversationId: z.string().nullable(),
    memberId: z.string().nullable(),
    /** The credited member's first reply in that conversation: where the window starts. */
    repliedAt: z.string().nullable(),
    /** Chats within the window that could have been credited. */
    candidates: z.number(),
    /** The same, in one sentence. */
    explanation: z.string(),
  })
  .meta({ id: 'AttributionReason' });

/** What the shop is told about an order it reported. */
export const purchaseView = z
  .object({ id: z.string(), orderId: z.string(), status: saleStatus, attributedTo, reason: attributionReasonView })
  .meta({ id: 'Purchase' });

export const saleView = z
  .object({
    id: z.string(),
    orderId: z.string(),
    amount: z.number(),
    currency: z.string(),
    occurredAt: z.string(),
    items: z.array(z.unknown()),
    status: saleStatus,
    attributedTo,
    reason: attributionReasonView,
    /** Not yet opened by the credited member (shown as new). */
    new: z.boolean(),
    seenAt: z.string().nullable(),
    reversedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Sale' });
export const saleListView = pageView(saleView);
export const salesFigureListView = z.object({ items: z.array(inboxSalesFigureView) });

/** Sales per day and member, attributed and unattributed, per currency. */
export const salesReportView = z
  .object({
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    rows: z.array(
      z.object({
        date: z.string(),
        memberId: z.string().nullable(),
        memberName: z.string().nullable(),
        attributed: z.boolean(),
        count: z.number(),
        amount: z.number(),
        currency: z.string(),
      }),
    ),
    totals: z.object({ attributed: z.object({ count: z.number(), amounts }), unattributed: z.object({ count: z.number(), amounts }) }),
  })
  .meta({ id: 'SalesReport' });

/** What the shopper behind a conversation is looking at, has viewed and has in the cart. */
export const shopperActivityView = z
  .object({
    conversationId: z.string(),
    visitorIds: z.array(z.string()),
    /** The latest thing they did: the page or product they are on now. */
    now: inboxShopperEventView.nullable(),
    /** Products viewed, the latest first, once each. */
    viewed: z.array(shopperProductView.extend({ views: z.number(), lastViewedAt: z.string() })),
    /** Added to the cart since their last purchase. */
    cart: z.array(shopperProductView.extend({ quantity: z.number(), addedAt: z.string() })),
    purchases: z.array(inboxShopperEventView),
    events: z.array(inboxShopperEventView),
  })
  .meta({ id: 'ShopperActivity' });

/** The widget's event was taken (it is stored after the answer). */
export const widgetEventAcceptedView = z.object({ accepted: z.boolean() });

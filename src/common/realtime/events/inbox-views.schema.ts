import { z } from 'zod';

// The wire shapes of the `/inbox` socket that the HTTP API answers with too, as zod views: the socket's event map
// (inbox.events.ts) takes its types from here and the OpenAPI document its schemas, so neither can drift from the
// other. Each view's `id` is its name in the document's components (and in the web app's generated client).

/** A conversation as the list and the thread show it. */
export const inboxConversationView = z
  .object({
    id: z.string(),
    status: z.enum(['waiting', 'open', 'resolved']),
    /** `type` is one of the hub's channel types (`webchat`, `email`, `sms`, `whatsapp`, `line`). */
    channel: z.object({ id: z.string(), type: z.string(), name: z.string() }),
    contact: z.object({ id: z.string(), name: z.string() }),
    assigneeId: z.string().nullable(),
    unreplied: z.boolean(),
    outcome: z.string().nullable(),
    /** The category its agent set (any of the three levels), or null. */
    categoryId: z.string().nullable(),
    /** Once resolved: true when an agent replied, false when nobody answered (abandoned); null while not resolved. */
    handled: z.boolean().nullable(),
    /** The customer's satisfaction, when they gave it. */
    rating: z.object({ score: z.number(), comment: z.string().nullable() }).nullable(),
    lastMessageAt: z.string(),
    lastCustomerMessageAt: z.string().nullable(),
    lastMessagePreview: z.string().nullable(),
    createdAt: z.string(),
    resolvedAt: z.string().nullable(),
  })
  .meta({ id: 'Conversation' });

/** The whole message when a message's `body` is a display form: an email's subject, full text and sanitized HTML. */
export const inboxMessageContentView = z
  .object({
    subject: z.string().optional(),
    text: z.string().optional(),
    html: z.string().optional(),
    /** Remote images held back in `html` (each `<img>` keeps its address in `data-remote-src`). */
    remoteImages: z.number().optional(),
    /** The provider's own id of the message as the sender wrote it (an email's Message-ID). */
    messageId: z.string().optional(),
  })
  .meta({ id: 'MessageContent' });

/** One file of a message (a photo, a PDF), or structured content (a sticker, a location) in `meta`. */
export const inboxAttachmentView = z
  .looseObject({
    /** Where a signed-in member loads it (`/api/messages/:id/attachments/:n`); absent while the hub still fetches it. */
    url: z.string().optional(),
    /** A small JPEG of an image or video (`?variant=thumbnail`), for the thread's preview. */
    thumbnailUrl: z.string().optional(),
    contentType: z.string().optional(),
    name: z.string().optional(),
    size: z.number().optional(),
    kind: z.enum(['image', 'video', 'audio', 'document']).optional(),
    durationMs: z.number().optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
    failed: z.object({ code: z.string(), reason: z.string() }).optional(),
  })
  .meta({ id: 'Attachment' });

/** A catalog product an agent sent as a card, as the message carries it (prices in the currency's minor unit). */
export const inboxProductCardView = z
  .object({
    productId: z.string(),
    name: z.string(),
    price: z.number().int().nullable(),
    salePrice: z.number().int().nullable(),
    currency: z.string().nullable(),
    variant: z.string().nullable(),
    imageUrl: z.string().nullable(),
    /** The shop's page of the product (the customer's link is a tracked one that leads here). */
    url: z.string(),
    /** When the customer first opened the card's link; null until then. */
    openedAt: z.string().nullable(),
  })
  .meta({ id: 'ProductCard' });

/** A message as the thread shows it. */
export const inboxMessageView = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    /** The conversation's sequence (a decimal string, 64-bit): messages are ordered by it. */
    seq: z.string(),
    direction: z.enum(['in', 'out']),
    kind: z.enum(['text', 'media', 'note', 'event']),
    body: z.string(),
    /** Its files, in order (see docs/socket-protocols.md). */
    attachments: z.array(inboxAttachmentView),
    content: inboxMessageContentView.nullable(),
    author: z.object({ type: z.enum(['contact', 'member', 'bot', 'system']), id: z.string().nullable() }),
    status: z.enum(['received', 'pending_approval', 'rejected', 'queued', 'sent', 'delivered', 'read', 'failed']),
    /** Why the delivery failed (or is being retried), in English, for API callers; the inbox shows `errorCode`. */
    error: z.string().nullable(),
    /** The failure's stable code (`provider_rejected_number`, `reply_window_closed`...); see docs/error-codes.md. */
    errorCode: z.string().nullable(),
    /** What the provider said in its own terms: `{provider, providerCode?, status?, providerMessage?}`. */
    errorDetails: z.record(z.string(), z.union([z.string(), z.number()])).nullable(),
    /** A trainee's draft once a supervisor decided: who, when, and the feedback given with a rejection. */
    review: z.object({ by: z.string().nullable(), at: z.string(), feedback: z.string().nullable() }).nullable(),
    /**
     * Taken back: by the customer (`direction: 'in'`, a LINE unsend) or by its agent within two minutes
     * (`direction: 'out'`, withdrawn): body and attachments are gone.
     */
    unsent: z.boolean(),
    /** The approved template this message went out as (WhatsApp), or null for free text. */
    template: z.string().nullable(),
    /** Product cards from the catalog, after the text; absent on a message without any. */
    products: z.array(inboxProductCardView).optional(),
    createdAt: z.string(),
  })
  .meta({ id: 'Message' });

/** A chat handed from one member to another or to a group, until accepted, expired or cancelled. */
export const inboxTransferView = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    fromMemberId: z.string(),
    toMemberId: z.string().nullable(),
    groupId: z.string().nullable(),
    note: z.string().nullable(),
    status: z.enum(['pending', 'accepted', 'expired', 'cancelled']),
    acceptedById: z.string().nullable(),
    expiresAt: z.string(),
  })
  .meta({ id: 'Transfer' });

/** A report to a LINE group, as the side panel shows it. */
export const inboxReportView = z
  .object({
    id: z.string(),
    kind: z.string(),
    purpose: z.string(),
    conversationId: z.string().nullable(),
    memberId: z.string().nullable(),
    channelId: z.string().nullable(),
    groupId: z.string().nullable(),
    text: z.string(),
    status: z.enum(['pending', 'sent', 'failed']),
    attempts: z.number(),
    /** Why the last post failed, in English; `errorCode` is its stable code (the inbox shows that). */
    error: z.string().nullable(),
    errorCode: z.string().nullable(),
    quotedReportId: z.string().nullable(),
    providerRequestId: z.string().nullable(),
    providerMessageId: z.string().nullable(),
    quoteToken: z.string().nullable(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .meta({ id: 'Report' });

/** A member's live panel figure: today (in the team's time zone) and the window sales are credited in. */
export const inboxSalesFigureView = z
  .object({
    memberId: z.string(),
    date: z.string(),
    timeZone: z.string(),
    chats: z.number(),
    /** Amounts per currency, in its minor unit: amounts in different currencies are never added together. */
    sales: z.object({ count: z.number(), amounts: z.record(z.string(), z.number()) }),
    windowDays: z.number(),
    model: z.enum(['last_touch', 'first_touch']),
  })
  .meta({ id: 'SalesFigure' });

/** A product as a shopper saw it on the shop's site. */
export const shopperProductView = z
  .object({
    sku: z.string(),
    name: z.string().optional(),
    price: z.number().optional(),
    currency: z.string().optional(),
    url: z.string().optional(),
    image: z.string().optional(),
    quantity: z.number().optional(),
  })
  .meta({ id: 'ShopperProduct' });

/** One thing a shopper did on the shop's site. */
export const inboxShopperEventView = z
  .object({
    id: z.string(),
    type: z.enum(['page_view', 'product_view', 'add_to_cart', 'purchase']),
    visitorId: z.string(),
    url: z.string().nullable(),
    product: shopperProductView.nullable(),
    order: z.object({ id: z.string(), amount: z.number().optional(), currency: z.string().optional() }).nullable(),
    occurredAt: z.string(),
  })
  .meta({ id: 'ShopperEvent' });

/**
 * A notification kept for the member's bell: `type` and `data` are the `notification` event's (its `type` and the
 * rest of its fields), `readAt` null until the member opened it.
 */
export const inboxStoredNotificationView = z
  .object({
    id: z.string(),
    type: z.string(),
    data: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    readAt: z.string().nullable(),
  })
  .meta({ id: 'StoredNotification' });

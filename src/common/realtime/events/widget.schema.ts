import { z } from 'zod';

// The `/widget` namespace's inbound side: the handshake's `auth` and each frame a visitor's browser may send, parsed
// by the web chat gateway. Frames are strict: a field the hub does not know is refused, so one added later cannot
// point at another team's records silently.

/** The page that embeds the widget, as the widget reads it (`location.href`, `document.title`). */
export const widgetPageFrame = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  title: z.string().max(300).optional(),
});

export const widgetHandshake = z.object({
  channelId: z.string().min(1).max(64),
  visitorId: z.string().max(64).optional(),
  /** The last message sequence the widget holds, to resync after a reconnect. */
  afterSeq: z.string().regex(/^\d{1,19}$/).optional(),
  /** The page the widget was opened on; one the schema cannot read is ignored rather than refusing the chat. */
  page: widgetPageFrame.optional().catch(undefined),
});

export const widgetMessageFrame = z.strictObject({
  body: z.string().trim().min(1, 'must not be empty').max(5000),
  /** Chosen by the widget so that a message re-sent after a lost acknowledgement is stored once. */
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
});

export const widgetTypingFrame = z.strictObject({ draft: z.string().max(5000) });

/** The widget's "send me this chat by email". */
export const widgetTranscriptFrame = z.strictObject({ email: z.string().trim().min(1).max(320) });

/** The widget's rating form at the end of a chat. */
export const widgetRatingFrame = z.strictObject({ score: z.number().int().min(1).max(5), comment: z.string().trim().max(2000).optional() });

/** The pre-chat form or `Tsunagi('set', ...)`: who the visitor says they are. */
export const widgetIdentifyFrame = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    email: z.string().trim().max(320).optional(),
    phone: z.string().trim().max(40).optional(),
  })
  .refine((frame) => frame.name || frame.email || frame.phone, { message: 'needs a name, an email or a phone number' });

/** The code sent to an address the visitor gave, as typed (full-width digits and spaces are read). */
export const widgetProveFrame = z.strictObject({ code: z.string().trim().min(1).max(20) });

export const widgetLeaveMessageFrame = z.strictObject({
  email: z.string().trim().min(1).max(320),
  name: z.string().trim().min(1).max(200).optional(),
  body: z.string().trim().min(1, 'must not be empty').max(5000),
  clientId: z.string().min(1).max(100).optional(),
});

/** ISO 4217, as the shop writes it: `JPY`, `USD`. */
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code such as JPY');
/** Money in the currency's minor unit (yen, cents): an integer, never a float that rounds. */
export const minorUnits = z.number().int('must be an integer in the currency’s minor unit (yen, cents)').min(0).max(1_000_000_000_000);
const pageUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000);

/** A product as the shop's page describes it to the widget. */
export const shopperProduct = z.strictObject({
  sku: z.string().trim().min(1).max(100),
  name: z.string().trim().min(1).max(300).optional(),
  price: minorUnits.optional(),
  currency: currencyCode.optional(),
  url: pageUrl.optional(),
  image: pageUrl.optional(),
  quantity: z.number().int().min(1).max(9999).optional(),
});

/** A purchase as the shop's thank-you page reports it: its order id ties the shop's own report to this browser. */
export const shopperOrder = z.strictObject({
  id: z.string().trim().min(1).max(100),
  amount: minorUnits.optional(),
  currency: currencyCode.optional(),
});

/** A shopper event's fields, shared by the socket's `track` frame and the HTTP events route. */
export const shopperEventFields = {
  type: z.enum(['page_view', 'product_view', 'add_to_cart', 'purchase']),
  url: pageUrl.optional(),
  product: shopperProduct.optional(),
  order: shopperOrder.optional(),
};

type ShopperEventShape = { type: string; product?: unknown; order?: unknown };

/** What each type needs: a product for a view or a cart, an order for a purchase. */
export function requireShopperDetails(event: ShopperEventShape, context: z.RefinementCtx): void {
  if ((event.type === 'product_view' || event.type === 'add_to_cart') && !event.product) {
    context.addIssue({ code: 'custom', path: ['product'], message: `is required for ${event.type}` });
  }
  if (event.type === 'purchase' && !event.order) context.addIssue({ code: 'custom', path: ['order'], message: 'is required for purchase' });
}

/** The widget's `track` frame (`Tsunagi('track', type, {...})`): unknown fields are refused. */
export const widgetTrackFrame = z.strictObject(shopperEventFields).superRefine(requireShopperDetails);

/** Every frame a visitor's browser may send on `/widget`, by event name: the gateway parses each with its schema. */
export const widgetFrames = {
  track: widgetTrackFrame,
  message: widgetMessageFrame,
  identify: widgetIdentifyFrame,
  prove: widgetProveFrame,
  leave_message: widgetLeaveMessageFrame,
  transcript: widgetTranscriptFrame,
  rating: widgetRatingFrame,
  page: widgetPageFrame,
  typing: widgetTypingFrame,
} as const;

import { z } from 'zod';
import { callFrame, callSignalFrame, visitorCallEndFrame } from './call.schema.js';

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

/** The message form: an email or a phone number (at least one; `contact_required` when neither) and the message. */
export const widgetLeaveMessageFrame = z.strictObject({
  email: z.string().trim().max(320).optional(),
  phone: z.string().trim().max(40).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  body: z.string().trim().min(1, 'must not be empty').max(5000),
  clientId: z.string().min(1).max(100).optional(),
});

/** A step's key: also the report placeholder `{intake.<key>}`, so lower-case letters, digits and `_`. */
export const intakeKey = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be lower-case letters, digits or _ (starting with a letter), at most 40');

const intakeRoute = {
  /** The step asked next; absent: the intake ends here. */
  next: intakeKey.optional(),
  /** The member group the chat is offered to when the visitor goes this way (the last one on the path wins). */
  groupId: z.string().min(1).max(64).optional(),
};

/** One step of a web chat's intake: a question answered with one of its buttons, or in the visitor's own words. */
export const intakeStep = z.discriminatedUnion('kind', [
  z.strictObject({
    key: intakeKey,
    kind: z.literal('buttons'),
    question: z.string().trim().min(1).max(300),
    options: z.array(z.strictObject({ label: z.string().trim().min(1).max(60), ...intakeRoute })).min(2).max(6),
  }),
  z.strictObject({
    key: intakeKey,
    kind: z.literal('text'),
    question: z.string().trim().min(1).max(300),
    placeholder: z.string().trim().max(100).optional(),
    ...intakeRoute,
  }),
]);

/**
 * A web chat's intake (before the first message): a small tree of steps, asked from the first. Checked whole: keys
 * are unique, every `next` names a step, and no path comes back to a step it has passed (so every path ends).
 */
export const intakeFlow = z
  .strictObject({ steps: z.array(intakeStep).min(1).max(20) })
  .superRefine((flow, context) => {
    const index = new Map<string, number>();
    flow.steps.forEach((step, i) => {
      if (index.has(step.key)) context.addIssue({ code: 'custom', path: ['steps', i, 'key'], message: `"${step.key}" is the key of another step` });
      else index.set(step.key, i);
    });
    const nextOf = (step: z.output<typeof intakeStep>) => (step.kind === 'buttons' ? step.options.map((o, j) => ({ next: o.next, path: ['steps', index.get(step.key)!, 'options', j, 'next'] })) : [{ next: step.next, path: ['steps', index.get(step.key)!, 'next'] }]);
    for (const step of flow.steps) {
      for (const { next, path } of nextOf(step)) {
        if (next !== undefined && !index.has(next)) context.addIssue({ code: 'custom', path, message: `names step "${next}", which does not exist` });
      }
    }
    // A path that returns to a step it passed never ends: walked depth first from every step.
    const state = new Map<string, 'open' | 'done'>();
    const visit = (key: string): boolean => {
      if (state.get(key) === 'done') return false;
      if (state.get(key) === 'open') return true;
      state.set(key, 'open');
      const step = flow.steps[index.get(key)!];
      const looped = nextOf(step).some(({ next }) => next !== undefined && index.has(next) && visit(next));
      state.set(key, 'done');
      return looped;
    };
    if (flow.steps.some((step) => visit(step.key))) context.addIssue({ code: 'custom', path: ['steps'], message: 'a path comes back to a step it has passed, so it never ends' });
  });

/** A widget's look and where it shows: the shop's colour, the corner, the launcher's words, pages by URL pattern. */
export const widgetAppearance = z.strictObject({
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1f6feb').optional(),
  position: z.enum(['right', 'left']).optional(),
  launcherText: z.string().trim().min(1).max(30).optional(),
  /** URL patterns (`*` any run of characters) of the pages it shows on; empty: every page. */
  showOn: z.array(z.string().trim().min(1).max(300)).max(20).optional(),
  /** URL patterns of pages it never shows on, whatever `showOn` says. */
  hideOn: z.array(z.string().trim().min(1).max(300)).max(20).optional(),
});

/** The visitor agreed to the data notice: the version of the text they saw and the page they were on. */
export const widgetConsentFrame = z.strictObject({
  version: z.string().regex(/^[a-f0-9]{12}$/, 'must be the version the session gave'),
  url: z.url({ protocol: /^https?$/ }).max(2000),
});

/** The intake's answers, step by step from the first; the last answer ends a path of the channel's tree. */
export const widgetIntakeFrame = z.strictObject({
  answers: z.array(z.strictObject({ key: intakeKey, value: z.string().trim().min(1, 'must not be empty').max(500) })).min(1).max(20),
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
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
  consent: widgetConsentFrame,
  intake: widgetIntakeFrame,
  transcript: widgetTranscriptFrame,
  rating: widgetRatingFrame,
  page: widgetPageFrame,
  typing: widgetTypingFrame,
  'call.accept': callFrame,
  'call.decline': callFrame,
  'call.signal': callSignalFrame,
  'call.end': visitorCallEndFrame,
  'call.restart': callFrame,
} as const;

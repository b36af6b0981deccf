import { z } from 'zod';
import { apiBaseUrl } from '../channels.schema.js';

export const webchatConfigSchema = z.strictObject({
  /** Pages allowed to open the widget, as origins (`https://shop.example`); empty: any page. */
  allowedOrigins: z.array(z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin)).max(50).optional(),
  greeting: z.string().max(1000).optional(),
  /** What the visitor agrees to before their first message (collection of personal data); absent: the widget's default. */
  consentText: z.string().min(1).max(1000).optional(),
  /** Quick replies before the first message ("first visit or returning?"): the chosen one is sent as the message. */
  preChat: z.strictObject({ question: z.string().trim().min(1).max(300), options: z.array(z.string().trim().min(1).max(60)).min(2).max(6) }).optional(),
  apiBaseUrl,
});

/** Random, unguessable: knowing a visitor id is what lets a browser read that visitor's chat. */
export const visitorIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

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

export const widgetLeaveMessageFrame = z.strictObject({
  email: z.string().trim().min(1).max(320),
  name: z.string().trim().min(1).max(200).optional(),
  body: z.string().trim().min(1, 'must not be empty').max(5000),
  clientId: z.string().min(1).max(100).optional(),
});

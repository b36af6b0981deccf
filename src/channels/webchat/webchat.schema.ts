import { z } from 'zod';
import type { ChannelAccount } from '../channel-adapter.js';
import { apiBaseUrl } from '../channels.schema.js';
import { intakeFlow, requireShopperDetails, shopperEventFields, widgetAppearance, widgetTrackFrame } from '../../common/realtime/events/widget.schema.js';

// The socket frames of `/widget` live with the namespace's event map (common/realtime/events), which the widget's
// own code imports too; what stays here is the channel's settings and the HTTP twin of the `track` frame.
export { currencyCode, minorUnits, shopperProduct } from '../../common/realtime/events/widget.schema.js';

/** A web chat's config, all of it settings: it has no credentials (the widget's visitors prove nothing). */
const settingFields = {
  /** Pages allowed to open the widget, as origins (`https://shop.example`); empty: any page. */
  allowedOrigins: z.array(z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin)).max(50).optional(),
  greeting: z.string().max(1000).optional(),
  /** What the visitor agrees to before their first message (collection of personal data); absent: the widget's default. */
  consentText: z.string().min(1).max(1000).optional(),
  /** Quick replies before the first message ("first visit or returning?"): the chosen one is sent as the message. */
  preChat: z.strictObject({ question: z.string().trim().min(1).max(300), options: z.array(z.string().trim().min(1).max(60)).min(2).max(6) }).optional(),
  /** The intake asked before the first message (replaces `preChat`, which is read as a one-step intake). */
  intake: intakeFlow.nullable().optional(),
  /** Refuse messages from a visitor who has not agreed to the data notice (`consent_required`), recorded as evidence. */
  requireConsent: z.boolean().optional(),
  appearance: widgetAppearance.nullable().optional(),
  apiBaseUrl,
};

export const webchatConfigSchema = z.strictObject(settingFields);

export const webchatSettingsSchema = z.object(settingFields);
export const webchatSecretsSchema = z.object({});
export type WebchatSettings = z.output<typeof webchatSettingsSchema>;
export type WebchatSecrets = z.output<typeof webchatSecretsSchema>;
/** A web chat as its adapter, the widget's socket and its origin check see it. */
export type WebchatAccount = ChannelAccount<WebchatSettings, WebchatSecrets>;


/** Random, unguessable: knowing a visitor id is what lets a browser read that visitor's chat. */
export const visitorIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

/** `POST /api/widget/:channelId/events`: the same event from a page that talks HTTP, with the browser's visitor id. */
export const widgetEventBody = z.strictObject({ visitorId: visitorIdSchema, ...shopperEventFields }).superRefine(requireShopperDetails);

export type ShopperEventInput = z.output<typeof widgetTrackFrame>;

import { z } from 'zod';
import { apiBaseUrl } from '../channels.schema.js';

/** `POST /api/channels` config of a LINE Official Account's Messaging API channel. */
export const lineConfigSchema = z.strictObject({
  channelSecret: z.string().min(8, 'must be the channel secret from the LINE Developers console').max(128),
  channelAccessToken: z.string().min(1, 'must be a (long-lived) channel access token').max(1024),
  /** Where content (images, files) is fetched; api-data.line.me, or `apiBaseUrl` when only that is given. */
  dataApiBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** LINE allows 2,000 requests a second per channel for push and reply. */
  sendsPerSecond: z.number().positive().max(2000).optional(),
  apiBaseUrl,
});

const source = z.looseObject({
  type: z.string(),
  userId: z.string().optional(),
  groupId: z.string().optional(),
  roomId: z.string().optional(),
});

/**
 * One webhook event, read leniently: LINE adds event types and fields over time, and an event we do not know
 * must not make the whole delivery fail (LINE would redeliver it forever).
 */
export const lineEvent = z.looseObject({
  type: z.string(),
  mode: z.string().optional(),
  timestamp: z.number(),
  source: source.optional(),
  webhookEventId: z.string().optional(),
  replyToken: z.string().optional(),
  deliveryContext: z.looseObject({ isRedelivery: z.boolean().optional() }).optional(),
  message: z.looseObject({ id: z.string(), type: z.string() }).optional(),
  follow: z.looseObject({ isUnblocked: z.boolean().optional() }).optional(),
  postback: z.looseObject({ data: z.string(), params: z.record(z.string(), z.unknown()).optional() }).optional(),
  joined: z.looseObject({ members: z.array(source) }).optional(),
  left: z.looseObject({ members: z.array(source) }).optional(),
  unsend: z.looseObject({ messageId: z.string() }).optional(),
});
export type LineEvent = z.output<typeof lineEvent>;

export const lineWebhookBody = z.looseObject({
  destination: z.string().optional(),
  events: z.array(lineEvent),
});
export type LineWebhookBody = z.output<typeof lineWebhookBody>;

export interface LineSettings {
  apiBaseUrl?: string;
  dataApiBaseUrl?: string;
}

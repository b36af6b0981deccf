import { z } from 'zod';
import type { ChannelAccount } from '../channel-adapter.js';
import { apiBaseUrl } from '../channels.schema.js';

/** A WhatsApp Web channel's config, all of it settings: the pairing is done by scanning a QR code. */
const settingFields = {
  // whatsapp-web.js's LocalAuth takes it as its clientId, which must match ^[-_\w]+$.
  sessionName: z.string().regex(/^[-_A-Za-z0-9]{1,40}$/, 'must be 1-40 letters, digits, - or _'),
  /** Accepted like every channel's; a WhatsApp Web session talks to no HTTP API of ours. */
  apiBaseUrl,
  /** WhatsApp bans accounts that send fast; one message a second is what a person could type. */
  sendsPerSecond: z.number().positive().max(5).optional(),
};

/** `POST /api/channels` config of a WhatsApp Web session: a name; the pairing is done by scanning a QR code. */
export const whatsappWebConfigSchema = z.strictObject(settingFields);

export const whatsappWebSettingsSchema = z.object(settingFields);
/** The login lives in the session's own files (LocalAuth), not among the channel's credentials. */
export const whatsappWebSecretsSchema = z.object({});
export type WhatsAppWebSettings = z.output<typeof whatsappWebSettingsSchema>;
export type WhatsAppWebSecrets = z.output<typeof whatsappWebSecretsSchema>;
/** A WhatsApp Web channel as its adapter and session manager see it. */
export type WhatsAppWebAccount = ChannelAccount<WhatsAppWebSettings, WhatsAppWebSecrets>;

/**
 * The parts of whatsapp-web.js's `Message` the hub reads, checked (passthrough: the library adds fields).
 * A message without an id or a sender is not one the library emits; such an object is ignored.
 */
export const whatsappWebMessage = z.looseObject({
  id: z.looseObject({ _serialized: z.string().min(1), fromMe: z.boolean().optional() }),
  from: z.string(),
  to: z.string().optional(),
  author: z.string().optional().nullable(),
  body: z.string().default(''),
  type: z.string(),
  timestamp: z.number().optional(),
  fromMe: z.boolean().optional(),
  hasMedia: z.boolean().optional(),
  broadcast: z.boolean().optional(),
  location: z.looseObject({ latitude: z.union([z.number(), z.string()]), longitude: z.union([z.number(), z.string()]), description: z.string().optional(), name: z.string().optional(), address: z.string().optional() }).optional().nullable(),
  vCards: z.array(z.string()).optional(),
  _data: z.looseObject({ notifyName: z.string().optional(), mimetype: z.string().optional(), filename: z.string().optional() }).optional(),
});
export type WhatsAppWebMessage = z.output<typeof whatsappWebMessage>;

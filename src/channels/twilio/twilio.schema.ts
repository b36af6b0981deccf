import { z } from 'zod';
import type { ChannelAccount } from '../channel-adapter.js';
import { apiBaseUrl } from '../channels.schema.js';

const e164 = /^\+[1-9]\d{6,14}$/;

/** The credentials of a Twilio channel: sealed at rest, never returned. */
const secretFields = {
  authToken: z.string().min(16, 'must be the account’s Auth Token').max(128),
};

/** The rest of its config: stored as given and shown to administrators. */
const settingFields = {
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be an Account SID (AC followed by 32 hex digits)'),
  /** The sender: an E.164 number (`+81...`), or `whatsapp:+...` for WhatsApp. */
  from: z
    .string()
    .refine((value) => e164.test(value.replace(/^whatsapp:/, '')), 'must be an E.164 number such as +815012345678, or whatsapp:+...')
    .optional(),
  messagingServiceSid: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID (MG...)').optional(),
  /** Twilio's default long-code throughput is 1 segment a second; registered senders get more. */
  sendsPerSecond: z.number().positive().max(1000).optional(),
  apiBaseUrl,
};

/** `POST /api/channels` config of an SMS or WhatsApp channel through Twilio. */
export const twilioConfigSchema = z
  .strictObject({ ...secretFields, ...settingFields })
  .refine((config) => config.from || config.messagingServiceSid, { message: 'needs `from` or `messagingServiceSid`', path: ['from'] });

export const twilioSettingsSchema = z.object(settingFields);
export const twilioSecretsSchema = z.object(secretFields).partial();
export type TwilioSettings = z.output<typeof twilioSettingsSchema>;
export type TwilioSecrets = z.output<typeof twilioSecretsSchema>;
export const TWILIO_SECRET_KEYS = twilioSecretsSchema.keyof().options;
/** A Twilio channel as its adapter, sender and verifier see it. */
export type TwilioAccount = ChannelAccount<TwilioSettings, TwilioSecrets>;

/**
 * Twilio's webhook fields "vary and will change without notice": keep every field (the signature covers them
 * all), read the few we need. Repeated keys arrive as arrays.
 */
export const twilioWebhookParams = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
export type TwilioWebhookParams = z.output<typeof twilioWebhookParams>;

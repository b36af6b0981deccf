import { z } from 'zod';
import { apiBaseUrl } from '../channels.schema.js';

const e164 = /^\+[1-9]\d{6,14}$/;

/** `POST /api/channels` config of an SMS or WhatsApp channel through Twilio. */
export const twilioConfigSchema = z
  .strictObject({
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be an Account SID (AC followed by 32 hex digits)'),
    authToken: z.string().min(16, 'must be the account’s Auth Token').max(128),
    /** The sender: an E.164 number (`+81...`), or `whatsapp:+...` for WhatsApp. */
    from: z
      .string()
      .refine((value) => e164.test(value.replace(/^whatsapp:/, '')), 'must be an E.164 number such as +815012345678, or whatsapp:+...')
      .optional(),
    messagingServiceSid: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID (MG...)').optional(),
    /** Twilio's default long-code throughput is 1 segment a second; registered senders get more. */
    sendsPerSecond: z.number().positive().max(1000).optional(),
    apiBaseUrl,
  })
  .refine((config) => config.from || config.messagingServiceSid, { message: 'needs `from` or `messagingServiceSid`', path: ['from'] });

/**
 * Twilio's webhook fields "vary and will change without notice": keep every field (the signature covers them
 * all), read the few we need. Repeated keys arrive as arrays.
 */
export const twilioWebhookParams = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
export type TwilioWebhookParams = z.output<typeof twilioWebhookParams>;

import { z } from 'zod';
import { DomainError } from '../../common/errors/domain-error.js';
import type { ChannelAccount } from '../channel-adapter.js';
import { apiBaseUrl } from '../channels.schema.js';

/** The Graph API version of the wire reference the adapter follows (business-messaging-api v23.0). */
export const GRAPH_API = 'https://graph.facebook.com/v23.0';

/**
 * An approved message template the agents may send, as registered in WhatsApp Manager: its name, its language
 * and the names of its body variables in the order of `{{1}}`, `{{2}}`... `text` is its body with those
 * placeholders, shown in the conversation once filled in.
 */
export const whatsappTemplate = z.strictObject({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be the template’s name as approved (lower case, digits and _)'),
  language: z.string().regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, 'must be a language code such as ja, en_US'),
  variables: z.array(z.string().trim().min(1).max(60)).max(20).default([]),
  text: z.string().max(1024).optional(),
});
export type WhatsAppTemplate = z.output<typeof whatsappTemplate>;

/** The credentials of a WhatsApp Cloud channel: sealed at rest, never returned. */
const secretFields = {
  /** A system user's permanent token with whatsapp_business_messaging. */
  accessToken: z.string().min(1, 'must be an access token from Meta Business').max(1024),
  /** Signs every webhook (X-Hub-Signature-256). */
  appSecret: z.string().min(8, 'must be the app secret from the Meta app dashboard').max(128),
  /** What we typed as "Verify token" in the app's webhook settings; Meta sends it back in the GET check. */
  verifyToken: z.string().min(8, 'must be at least 8 characters').max(256),
};

/** The rest of its config: stored as given and shown to administrators. */
const settingFields = {
  phoneNumberId: z.string().regex(/^\d{1,30}$/, 'must be the phone number id (digits) from WhatsApp Manager'),
  /** graph.facebook.com/v23.0 when absent. */
  apiBaseUrl,
  templates: z
    .array(whatsappTemplate)
    .max(250)
    .refine((templates) => new Set(templates.map((t) => `${t.name}:${t.language}`)).size === templates.length, 'each template (name and language) may be listed once')
    .default([]),
  /** Meta's default throughput is about 80 messages a second per number. */
  sendsPerSecond: z.number().positive().max(1000).optional(),
};

/** `POST /api/channels` config of a WhatsApp Business phone number on the Cloud API. */
export const whatsappCloudConfigSchema = z.strictObject({ ...secretFields, ...settingFields });

export const whatsappCloudSettingsSchema = z.object(settingFields);
export const whatsappCloudSecretsSchema = z.object(secretFields).partial();
export type WhatsAppCloudSettings = z.output<typeof whatsappCloudSettingsSchema>;
export type WhatsAppCloudSecrets = z.output<typeof whatsappCloudSecretsSchema>;
export const WHATSAPP_CLOUD_SECRET_KEYS = whatsappCloudSecretsSchema.keyof().options;
/** A WhatsApp Cloud channel as its adapter and sender see it. */
export type WhatsAppCloudAccount = ChannelAccount<WhatsAppCloudSettings, WhatsAppCloudSecrets>;

/**
 * Webhook payloads, read leniently (passthrough): Meta adds fields and message types over time, and a message
 * we cannot read must not make the whole batch fail, or Meta redelivers it for days. What we act on is checked.
 */
const message = z.looseObject({
  from: z.string(),
  id: z.string(),
  timestamp: z.string().optional(),
  type: z.string(),
});
export type WhatsAppCloudMessage = z.output<typeof message> & Record<string, unknown>;

const status = z.looseObject({
  id: z.string(),
  status: z.string(),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  errors: z.array(z.looseObject({ code: z.number().optional(), title: z.string().optional(), message: z.string().optional(), error_data: z.looseObject({ details: z.string().optional() }).optional() })).optional(),
});
export type WhatsAppCloudStatus = z.output<typeof status>;

const change = z.looseObject({
  field: z.string(),
  value: z.looseObject({
    metadata: z.looseObject({ phone_number_id: z.string(), display_phone_number: z.string().optional() }).optional(),
    contacts: z.array(z.looseObject({ wa_id: z.string().optional(), profile: z.looseObject({ name: z.string().optional() }).optional() })).optional(),
    messages: z.array(message).optional(),
    statuses: z.array(status).optional(),
    errors: z.array(z.looseObject({ code: z.number().optional(), title: z.string().optional() })).optional(),
  }),
});

export const whatsappCloudWebhookBody = z.looseObject({
  object: z.string(),
  entry: z.array(z.looseObject({ id: z.string(), changes: z.array(change) })),
});
export type WhatsAppCloudWebhookBody = z.output<typeof whatsappCloudWebhookBody>;

/** The raw bytes of a verified webhook -> its body, parsed from exactly what the signature covered. */
export function parseWhatsAppCloudWebhook(rawBody: Buffer): WhatsAppCloudWebhookBody {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new DomainError('invalid', 'invalid_payload', 'The WhatsApp webhook body is not valid JSON.');
  }
  const result = whatsappCloudWebhookBody.safeParse(json);
  if (!result.success) {
    const details = result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message }));
    throw new DomainError('invalid', 'invalid_payload', `The WhatsApp webhook body cannot be read: ${details[0].field} ${details[0].message}.`, details);
  }
  return result.data;
}

/** The Graph API's error body: `{error: {message, type, code, error_data: {details}, error_subcode, fbtrace_id}}`. */
export const graphErrorBody = z.looseObject({
  error: z.looseObject({
    message: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    error_data: z.looseObject({ details: z.string().optional() }).optional(),
    fbtrace_id: z.string().optional(),
  }),
});

/** 200 of `GET /{phone-number-id}`: the business number as Meta knows it. */
export const graphPhoneNumber = z.looseObject({ display_phone_number: z.string().optional(), verified_name: z.string().optional() });

/** 200 of `POST /{phone-number-id}/messages`. */
export const graphSendAnswer = z.looseObject({ messages: z.array(z.looseObject({ id: z.string() })).min(1) });

/** `POST /{phone-number-id}/media`: the uploaded file's id, for a message to name. */
export const graphUploadAnswer = z.looseObject({ id: z.string().min(1) });

/** `GET /{media-id}`: where the media can be downloaded (for five minutes), and its type. */
export const graphMediaAnswer = z.looseObject({ url: z.string(), mime_type: z.string().optional() });

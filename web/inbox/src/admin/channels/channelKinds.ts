import type { Views } from '../../api';

type ChannelType = Views['Channel']['type'];
type ChannelProvider = Views['Channel']['provider'];

/**
 * One config field of a provider's form. `secret`: write-only (the hub never shows it back; left blank on edit,
 * the stored one is kept). `generate`: a value the administrator makes up and pastes into the provider's console.
 */
export interface ConfigField {
  key: string;
  input: 'text' | 'secret' | 'email' | 'url' | 'number' | 'textarea';
  required?: boolean;
  generate?: boolean;
  /** Under "Advanced": addresses and rates a self-hoster changes for a proxy or a regional endpoint. */
  advanced?: boolean;
}

/** A kind of channel an administrator can add: the type and provider the hub takes, and the form's fields (names as in the provider's zod config). */
export interface ChannelKind {
  id: 'webchat' | 'twilio-sms' | 'twilio-whatsapp' | 'line' | 'sendgrid' | 'whatsapp-cloud' | 'whatsapp-web';
  type: ChannelType;
  provider: ChannelProvider;
  fields: ConfigField[];
}

const sendsPerSecond: ConfigField = { key: 'sendsPerSecond', input: 'number', advanced: true };
const apiBaseUrl: ConfigField = { key: 'apiBaseUrl', input: 'url', advanced: true };
const twilioFields: ConfigField[] = [
  { key: 'accountSid', input: 'text', required: true },
  { key: 'authToken', input: 'secret', required: true },
  { key: 'from', input: 'text' },
  { key: 'messagingServiceSid', input: 'text' },
  sendsPerSecond,
  apiBaseUrl,
];

export const CHANNEL_KINDS: ChannelKind[] = [
  { id: 'webchat', type: 'webchat', provider: 'webchat', fields: [] },
  {
    id: 'line',
    type: 'line',
    provider: 'line',
    fields: [{ key: 'channelSecret', input: 'secret', required: true }, { key: 'channelAccessToken', input: 'secret', required: true }, apiBaseUrl, { key: 'dataApiBaseUrl', input: 'url', advanced: true }, sendsPerSecond],
  },
  { id: 'twilio-sms', type: 'sms', provider: 'twilio', fields: twilioFields },
  { id: 'twilio-whatsapp', type: 'whatsapp', provider: 'twilio', fields: twilioFields },
  {
    id: 'whatsapp-cloud',
    type: 'whatsapp',
    provider: 'whatsapp-cloud',
    fields: [
      { key: 'phoneNumberId', input: 'text', required: true },
      { key: 'accessToken', input: 'secret', required: true },
      { key: 'appSecret', input: 'secret', required: true },
      { key: 'verifyToken', input: 'secret', required: true, generate: true },
      sendsPerSecond,
      apiBaseUrl,
    ],
  },
  { id: 'whatsapp-web', type: 'whatsapp', provider: 'whatsapp-web', fields: [{ key: 'sessionName', input: 'text', required: true }, { ...sendsPerSecond }] },
  {
    id: 'sendgrid',
    type: 'email',
    provider: 'sendgrid',
    fields: [
      { key: 'fromEmail', input: 'email', required: true },
      { key: 'fromName', input: 'text' },
      { key: 'apiKey', input: 'secret', required: true },
      { key: 'inboundToken', input: 'secret', required: true, generate: true },
      { key: 'inboundAddress', input: 'email' },
      { key: 'eventPublicKey', input: 'textarea' },
      sendsPerSecond,
      apiBaseUrl,
    ],
  },
];

/** The kind a stored channel is (Twilio serves two types). */
export function kindOf(channel: Pick<Views['Channel'], 'type' | 'provider'>): ChannelKind {
  return CHANNEL_KINDS.find((kind) => kind.provider === channel.provider && kind.type === channel.type) ?? CHANNEL_KINDS[0];
}

/** The help text of a field: the kind's own (`twilio-sms.from`), else the provider's (`twilio.from`), else the field's. */
export function hintOf(hints: Record<string, string>, kind: ChannelKind, key: string): string | undefined {
  return hints[`${kind.id}.${key}`] ?? hints[`${kind.provider}.${key}`] ?? hints[key];
}

/** An unguessable token for the administrator to paste into the provider (Meta's verify token, SendGrid's Parse token). */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What the form's text boxes say, as the config the hub reads: blanks left out (on edit a blank secret keeps the stored one), numbers as typed. */
export function configOf(kind: ChannelKind, values: Record<string, string>): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const field of kind.fields) {
    const text = (values[field.key] ?? '').trim();
    if (text === '') continue;
    // A number goes as typed: the hub's range check, not the page, says what is wrong with "abc" or 0.
    config[field.key] = field.input === 'number' ? (Number.isNaN(Number(text)) ? text : Number(text)) : text;
  }
  return config;
}

import type { Attachment, ChannelAddress, InboundEvent } from '../channel-adapter.js';
import { twilioFailure } from './twilio.errors.js';
import type { TwilioWebhookParams } from './twilio.schema.js';

/** Status callbacks: only the ones that move a message; Twilio sends no callback for the initial status. */
const STATUS: Record<string, 'sent' | 'delivered' | 'read' | 'failed' | undefined> = {
  sent: 'sent',
  delivered: 'delivered',
  partially_delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  undelivered: 'failed',
  canceled: 'failed',
};

function field(params: TwilioWebhookParams, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `whatsapp:+8190...` and `+8190...` are the same person: the identity is the phone number. */
export function twilioAddress(value: string, name?: string): ChannelAddress {
  return { kind: 'phone', address: value.replace(/^whatsapp:/, '').trim(), ...(name ? { name } : {}) };
}

/**
 * "A message comes in": the message, and, when Twilio's Advanced Opt-Out has judged it (`OptOutType`), that
 * verdict first. Our own keyword lists (team settings) are applied by the hub to every SMS and WhatsApp
 * message; both use the key `<MessageSid>:consent`, so the provider's verdict, when present, is the one kept.
 */
export function normalizeTwilioInbound(params: TwilioWebhookParams, receivedAt: Date): InboundEvent[] {
  const sid = field(params, 'MessageSid') ?? field(params, 'SmsMessageSid') ?? field(params, 'SmsSid');
  const from = field(params, 'From');
  if (!sid || !from) return [];
  const address = twilioAddress(from, field(params, 'ProfileName'));
  const body = field(params, 'Body') ?? '';
  const attachments: Attachment[] = [];
  const count = Math.min(Number(field(params, 'NumMedia') ?? 0) || 0, 10);
  for (let i = 0; i < count; i++) {
    const url = field(params, `MediaUrl${i}`);
    if (url) attachments.push({ url, contentType: field(params, `MediaContentType${i}`) });
  }
  const latitude = field(params, 'Latitude');
  const longitude = field(params, 'Longitude');
  if (latitude && longitude) {
    attachments.push({ meta: { type: 'location', latitude: Number(latitude), longitude: Number(longitude), address: field(params, 'Address'), title: field(params, 'Label') } });
  }
  const events: InboundEvent[] = [];
  const optOutType = field(params, 'OptOutType');
  const verdict = optOutType === 'STOP' ? 'opt_out' : optOutType === 'START' ? 'opt_in' : null;
  if (verdict) {
    events.push({
      type: 'contact',
      eventKey: `${sid}:consent`,
      from: address,
      kind: verdict,
      detail: { keyword: body.trim(), messageSid: sid, optOutType },
      occurredAt: receivedAt,
    });
  }
  events.push({
      type: 'message',
      eventKey: sid,
      providerMessageId: sid,
      from: address,
      body: body || field(params, 'ButtonText') || '',
      attachments,
      occurredAt: receivedAt,
      ...(verdict ? { providerVerdict: true } : {}),
  });
  return events;
}

/** A status callback: forward-only moves are the hub's job; this only says what Twilio reported. */
export function normalizeTwilioStatus(params: TwilioWebhookParams, receivedAt: Date): InboundEvent[] {
  const sid = field(params, 'MessageSid') ?? field(params, 'SmsSid');
  const status = STATUS[field(params, 'MessageStatus') ?? field(params, 'SmsStatus') ?? ''];
  if (!sid || !status) return [];
  const errorCode = field(params, 'ErrorCode');
  if (status !== 'failed') return [{ type: 'status', providerMessageId: sid, status, occurredAt: receivedAt }];
  const canceled = field(params, 'MessageStatus') === 'canceled';
  const known = twilioFailure(errorCode || undefined);
  return [
    {
      type: 'status',
      providerMessageId: sid,
      status,
      errorCode: errorCode || undefined,
      failure: canceled
        ? { code: 'provider_message_canceled', reason: 'The message was canceled before Twilio sent it.', details: { provider: 'twilio' } }
        : { code: known.code, reason: known.reason, details: known.details },
      occurredAt: receivedAt,
    },
  ];
}

import type { Attachment, ChannelAddress, InboundEvent } from '../channel-adapter.js';
import { twilioErrorReason } from './twilio.errors.js';
import type { TwilioWebhookParams } from './twilio.schema.js';

// Twilio's own opt-out handling on long codes and toll-free numbers: the whole body, any case. "STOP PLEASE"
// is an ordinary message, as it is for Twilio; we mirror it so that our consent matches the carrier's block.
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'CANCEL']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);

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

/** "A message comes in": the message, and the customer's STOP or START as a consent event beside it. */
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
  const events: InboundEvent[] = [
    {
      type: 'message',
      eventKey: sid,
      providerMessageId: sid,
      from: address,
      body: body || field(params, 'ButtonText') || '',
      attachments,
      occurredAt: receivedAt,
    },
  ];
  const consent = consentOf(field(params, 'OptOutType'), body);
  if (consent) {
    events.push({
      type: 'contact',
      eventKey: `${sid}:${consent}`,
      from: address,
      kind: consent,
      detail: { keyword: body.trim(), messageSid: sid, ...(field(params, 'OptOutType') ? { optOutType: field(params, 'OptOutType') } : {}) },
      occurredAt: receivedAt,
    });
  }
  return events;
}

function consentOf(optOutType: string | undefined, body: string): 'opt_out' | 'opt_in' | null {
  // With Advanced Opt-Out, Twilio says what it decided (custom keywords included); trust it over our list.
  if (optOutType === 'STOP') return 'opt_out';
  if (optOutType === 'START') return 'opt_in';
  if (optOutType) return null;
  const keyword = body.trim().toUpperCase();
  if (OPT_OUT.has(keyword)) return 'opt_out';
  if (OPT_IN.has(keyword)) return 'opt_in';
  return null;
}

/** A status callback: forward-only moves are the hub's job; this only says what Twilio reported. */
export function normalizeTwilioStatus(params: TwilioWebhookParams, receivedAt: Date): InboundEvent[] {
  const sid = field(params, 'MessageSid') ?? field(params, 'SmsSid');
  const status = STATUS[field(params, 'MessageStatus') ?? field(params, 'SmsStatus') ?? ''];
  if (!sid || !status) return [];
  const errorCode = field(params, 'ErrorCode');
  if (status !== 'failed') return [{ type: 'status', providerMessageId: sid, status, occurredAt: receivedAt }];
  const canceled = field(params, 'MessageStatus') === 'canceled';
  return [
    {
      type: 'status',
      providerMessageId: sid,
      status,
      errorCode: errorCode || undefined,
      error: canceled ? 'The message was canceled before Twilio sent it.' : twilioErrorReason(errorCode || undefined).reason,
      occurredAt: receivedAt,
    },
  ];
}

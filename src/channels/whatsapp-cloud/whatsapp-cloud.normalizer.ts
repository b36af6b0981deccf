import type { DeliveryFailure, ErrorCode } from '../../common/errors/error-codes.js';
import type { Attachment, ChannelAddress, InboundEvent } from '../channel-adapter.js';
import type { WhatsAppCloudMessage, WhatsAppCloudStatus, WhatsAppCloudWebhookBody } from './whatsapp-cloud.schema.js';

type Content = { kind: 'text' | 'media' | 'event'; body: string; attachments: Attachment[]; choice?: boolean };

/** `wa_id` and `from` are the number without `+`; the identity is the E.164 number, as every phone channel's. */
export function waAddress(waId: string, name?: string): ChannelAddress {
  return { kind: 'phone', address: `+${waId.replace(/^\+/, '')}`, ...(name ? { name } : {}) };
}

/** Meta's timestamps are Unix seconds, as a string. */
function timeOf(timestamp: string | undefined, now: Date): Date {
  const seconds = Number(timestamp);
  return timestamp && Number.isFinite(seconds) ? new Date(seconds * 1000) : now;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const objectOf = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {});

/** Media (image, audio, video, document, sticker) stays at Meta under its id: fetched in a job with the token. */
function mediaContent(message: WhatsAppCloudMessage, type: string): Content {
  const media = objectOf(message[type]);
  const id = text(media.id);
  const name = text(media.filename);
  const attachment: Attachment = {
    ...(id ? { providerContentId: id } : {}),
    ...(text(media.mime_type) ? { contentType: text(media.mime_type) } : {}),
    ...(name ? { name } : {}),
    ...(type === 'sticker' ? { meta: { type: 'sticker', animated: media.animated === true } } : {}),
  };
  return { kind: 'media', body: text(media.caption) ?? '', attachments: [attachment] };
}

/** A shared contact card as the agent reads it: the name and the numbers, the whole card kept beside. */
function contactsContent(cards: unknown): Content {
  const list = Array.isArray(cards) ? cards.map(objectOf) : [];
  const lines = list.map((card) => {
    const name = text(objectOf(card.name).formatted_name) ?? '';
    const phones = (Array.isArray(card.phones) ? card.phones.map(objectOf) : []).map((p) => text(p.phone)).filter(Boolean);
    return [name, ...phones].filter(Boolean).join(' ');
  });
  return { kind: 'text', body: lines.join('\n'), attachments: list.map((card) => ({ meta: { type: 'contact', ...card } })) };
}

function orderContent(order: Record<string, unknown>): Content {
  const items = Array.isArray(order.product_items) ? order.product_items.map(objectOf) : [];
  const lines = items.map((i) => `${String(i.product_retailer_id)} × ${String(i.quantity)} (${String(i.item_price)} ${String(i.currency)})`);
  return { kind: 'event', body: [text(order.text), ...lines].filter(Boolean).join('\n'), attachments: [{ meta: { type: 'order', ...order } }] };
}

/** What one message says, by type; null for a type we cannot show (it is left out, not refused). */
function contentOf(message: WhatsAppCloudMessage): Content | null {
  switch (message.type) {
    case 'text':
      return { kind: 'text', body: text(objectOf(message.text).body) ?? '', attachments: [] };
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      return mediaContent(message, message.type);
    case 'location': {
      const place = objectOf(message.location);
      return {
        kind: 'text',
        body: [text(place.name), text(place.address)].filter(Boolean).join('\n'),
        attachments: [{ meta: { type: 'location', latitude: place.latitude, longitude: place.longitude, title: text(place.name), address: text(place.address), url: text(place.url) } }],
      };
    }
    case 'contacts':
      return contactsContent(message.contacts);
    case 'reaction': {
      // An empty emoji takes the reaction back.
      const reaction = objectOf(message.reaction);
      return { kind: 'event', body: text(reaction.emoji) ?? '', attachments: [{ meta: { type: 'reaction', messageId: text(reaction.message_id), emoji: text(reaction.emoji) ?? '' } }] };
    }
    case 'button': {
      // A tap on a template's quick-reply button ("Stop promotions" arrives this way): its text is what the
      // customer said, so a keyword such as "Unsubscribe" is read as one.
      const button = objectOf(message.button);
      return { kind: 'text', body: text(button.text) ?? text(button.payload) ?? '', attachments: [{ meta: { type: 'button', payload: text(button.payload) } }] };
    }
    case 'interactive': {
      const interactive = objectOf(message.interactive);
      const kind = text(interactive.type) ?? 'interactive';
      const reply = objectOf(interactive[kind]);
      return {
        kind: 'text',
        choice: true,
        body: text(reply.title) ?? '',
        attachments: [{ meta: { type: kind, id: text(reply.id), title: text(reply.title), ...(text(reply.description) ? { description: text(reply.description) } : {}) } }],
      };
    }
    case 'order':
      return orderContent(objectOf(message.order));
    case 'system': {
      const system = objectOf(message.system);
      return { kind: 'event', body: text(system.body) ?? '', attachments: [{ meta: { type: text(system.type) ?? 'system', waId: text(system.wa_id) } }] };
    }
    case 'unsupported': {
      // Meta could not hand over what the customer sent (a poll, a view-once photo...): the agent is told so.
      const errors = Array.isArray(message.errors) ? message.errors.map(objectOf) : [];
      const details = errors.map((e) => text(objectOf(e.error_data).details) ?? text(e.title)).filter(Boolean).join(' ');
      return { kind: 'event', body: `The customer sent a message WhatsApp cannot show here.${details ? ` (${details})` : ''}`, attachments: [{ meta: { type: 'unsupported', errors } }] };
    }
    default:
      return null;
  }
}

/** Status webhooks: `played` (a voice message listened to) says at least as much as `read`. */
const STATUS: Record<string, 'sent' | 'delivered' | 'read' | 'failed' | undefined> = { sent: 'sent', delivered: 'delivered', read: 'read', played: 'read', failed: 'failed' };

function statusEvent(status: WhatsAppCloudStatus, now: Date): InboundEvent | null {
  const moved = STATUS[status.status];
  if (!moved) return null;
  const error = status.errors?.[0];
  return {
    type: 'status',
    providerMessageId: status.id,
    status: moved,
    ...(error?.code !== undefined ? { errorCode: String(error.code) } : {}),
    ...(error ? { failure: whatsappFailure(error.code, error.error_data?.details ?? error.message ?? error.title) } : {}),
    occurredAt: timeOf(status.timestamp, now),
  };
}

/** The Graph API's error codes as the hub names them; any other is `provider_refused` with the code in its details. */
const CODES: Record<number, ErrorCode> = {
  131047: 'reply_window_closed',
  130429: 'rate_limited',
  80007: 'rate_limited',
  131056: 'pair_rate_limited',
  131026: 'recipient_cannot_receive',
  131051: 'provider_refused',
  131048: 'carrier_filtered',
  131049: 'carrier_filtered',
  190: 'provider_credentials_refused',
};

/** A failed status or a refused send: the hub's code, WhatsApp's own code and words in its details. */
export function whatsappFailure(code: number | undefined, hint: string | undefined, status?: number): DeliveryFailure {
  const details: Record<string, string | number> = { provider: 'whatsapp-cloud' };
  if (code !== undefined) details.providerCode = code;
  if (hint) details.providerMessage = hint;
  if (status !== undefined) details.status = status;
  return { code: (code !== undefined && CODES[code]) || 'provider_refused', reason: whatsappErrorSentence(code, hint), details };
}

/** How the agent reads the error codes a failed status or a refused send carries. */
export function whatsappErrorSentence(code: number | undefined, hint: string | undefined): string {
  const known: Record<number, string> = {
    131047: 'WhatsApp allows free text only within 24 hours of the customer’s last message. Send an approved template, or wait for the customer to write.',
    130429: 'WhatsApp is limiting how fast this number sends; the message will go out shortly.',
    131056: 'Too many messages to this customer in a short time; the message will go out shortly.',
    131026: 'WhatsApp could not deliver this message (the number may not be on WhatsApp, or has not accepted the latest terms).',
    131051: 'WhatsApp does not support this kind of message.',
    131048: 'WhatsApp held this message back: too many of this number’s messages were reported as spam.',
    131049: 'WhatsApp did not deliver this marketing message, to keep the customer’s experience healthy.',
  };
  const sentence = (code !== undefined && known[code]) || 'WhatsApp could not deliver this message.';
  return `${sentence}${hint ? ` WhatsApp says: ${hint}` : ''}${code !== undefined ? ` (error ${code})` : ''}`;
}

/**
 * A WhatsApp Cloud webhook body -> normalized events: every entry, every change, every message and status, in
 * order. Changes for another phone number of the same app (its webhook is per app, not per number) are left to
 * that number's channel. The event key is the message's `wamid`, which a redelivery repeats; statuses need no
 * key, since they only ever move a message forward. `now` stands in for a missing timestamp.
 */
export function normalizeWhatsAppCloud(body: WhatsAppCloudWebhookBody, phoneNumberId: string, now: Date): InboundEvent[] {
  const events: InboundEvent[] = [];
  for (const entry of body.entry) {
    for (const change of entry.changes) {
      // Group lifecycle, account updates and template reviews come in other fields: nothing to store.
      if (change.field !== 'messages') continue;
      const { value } = change;
      if (value.metadata && value.metadata.phone_number_id !== phoneNumberId) continue;
      const names = new Map((value.contacts ?? []).flatMap((c) => (c.wa_id && c.profile?.name ? [[c.wa_id, c.profile.name] as const] : [])));
      for (const message of value.messages ?? []) {
        const content = contentOf(message as WhatsAppCloudMessage);
        if (!content) continue;
        events.push({ type: 'message', eventKey: message.id, providerMessageId: message.id, from: waAddress(message.from, names.get(message.from)), ...content, occurredAt: timeOf(message.timestamp, now) });
      }
      for (const status of value.statuses ?? []) {
        const event = statusEvent(status, now);
        if (event) events.push(event);
      }
    }
  }
  return events;
}

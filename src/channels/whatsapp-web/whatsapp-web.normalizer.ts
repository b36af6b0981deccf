import type { Attachment, ChannelAddress, InboundEvent } from '../channel-adapter.js';
import { whatsappWebMessage } from './whatsapp-web.schema.js';
import type { WhatsAppWebMessage } from './whatsapp-web.schema.js';

/** `8190xxxxxxxx@c.us` is a person's WhatsApp account: the E.164 number without `+`. */
const PERSON = /^(\d{6,15})@c\.us$/;

/** The customer's address, or null for what is not one person's chat (groups, status broadcasts, channels). */
export function webAddress(chatId: string, name?: string): ChannelAddress | null {
  const match = PERSON.exec(chatId);
  return match ? { kind: 'phone', address: `+${match[1]}`, ...(name ? { name } : {}) } : null;
}

/** Where a reply to a phone number goes: its user chat id. */
export function chatIdOf(address: ChannelAddress): string {
  return `${address.address.replace(/^\+/, '').replace(/\D/g, '')}@c.us`;
}

const MEDIA = new Set(['image', 'video', 'audio', 'ptt', 'document', 'sticker']);

function contentOf(message: WhatsAppWebMessage): { kind: 'text' | 'media' | 'event'; body: string; attachments: Attachment[] } | null {
  if (MEDIA.has(message.type) || message.hasMedia) {
    // The bytes are fetched later through the session (downloadMedia), by the message's id.
    const attachment: Attachment = {
      providerContentId: message.id._serialized,
      ...(message._data?.mimetype ? { contentType: message._data.mimetype } : {}),
      ...(message._data?.filename ? { name: message._data.filename } : {}),
      ...(message.type === 'sticker' ? { meta: { type: 'sticker' } } : {}),
    };
    // A media message's `body` is its caption (for a document without one, the library puts the file name).
    return { kind: 'media', body: message.body, attachments: [attachment] };
  }
  switch (message.type) {
    case 'chat':
      return { kind: 'text', body: message.body, attachments: [] };
    case 'location': {
      const place = message.location;
      const title = place?.name ?? place?.description;
      return {
        kind: 'text',
        body: [title, place?.address].filter(Boolean).join('\n'),
        attachments: place ? [{ meta: { type: 'location', latitude: Number(place.latitude), longitude: Number(place.longitude), title, address: place.address } }] : [],
      };
    }
    case 'vcard':
    case 'multi_vcard': {
      const cards = message.vCards ?? (message.body ? [message.body] : []);
      const names = cards.map((card) => /^FN:(.*)$/m.exec(card)?.[1]?.trim()).filter(Boolean);
      return { kind: 'text', body: names.join('\n'), attachments: cards.map((vcard) => ({ meta: { type: 'contact', vcard } })) };
    }
    default:
      // Revoked messages, calls, notifications, polls: nothing an agent should answer as a message.
      return null;
  }
}

/**
 * whatsapp-web.js's `message` event -> a normalized message, or null for what is not a customer's message in a
 * one-to-one chat. The id (`false_<chat>_<id>`) is unique per message and the same if the library emits it
 * again (after a reconnect it replays what arrived while away), so it is the event key.
 */
export function normalizeWhatsAppWebMessage(raw: unknown, now: Date): InboundEvent | null {
  const parsed = whatsappWebMessage.safeParse(raw);
  if (!parsed.success) return null;
  const message = parsed.data;
  if (message.fromMe || message.id.fromMe || message.broadcast) return null;
  const from = webAddress(message.from, message._data?.notifyName);
  const content = from ? contentOf(message) : null;
  if (!from || !content) return null;
  return {
    type: 'message',
    eventKey: message.id._serialized,
    providerMessageId: message.id._serialized,
    from,
    ...content,
    occurredAt: message.timestamp ? new Date(message.timestamp * 1000) : now,
  };
}

/** MessageAck: -1 error, 0 pending, 1 server, 2 device, 3 read, 4 played. Pending says nothing new. */
const ACK: Record<number, 'sent' | 'delivered' | 'read' | 'failed' | undefined> = { [-1]: 'failed', 1: 'sent', 2: 'delivered', 3: 'read', 4: 'read' };

/** `message_ack` on one of our messages -> its delivery status. */
export function normalizeWhatsAppWebAck(raw: unknown, ack: unknown, now: Date): InboundEvent | null {
  const parsed = whatsappWebMessage.safeParse(raw);
  const status = typeof ack === 'number' ? ACK[ack] : undefined;
  if (!parsed.success || !status) return null;
  return {
    type: 'status',
    providerMessageId: parsed.data.id._serialized,
    status,
    ...(status === 'failed' ? { failure: { code: 'session_error', reason: 'WhatsApp could not deliver this message (the session reported an error).', details: { provider: 'whatsapp-web' } } } : {}),
    occurredAt: now,
  };
}

import type { Attachment, ChannelAddress, InboundEvent } from '../channel-adapter.js';
import type { LineEvent, LineWebhookBody } from './line.schema.js';

type Source = NonNullable<LineEvent['source']>;

/** The customer a user event comes from, or the group or room a group event happened in. */
function placeOf(source: Source | undefined): { from: ChannelAddress; thread?: ChannelAddress } | null {
  if (!source) return null;
  const groupId = source.type === 'group' ? source.groupId : source.type === 'room' ? source.roomId : undefined;
  if (groupId) {
    const thread: ChannelAddress = { kind: 'line_group', address: groupId };
    // A member who has not agreed to LINE's terms for bots writes without a userId: the group speaks for them.
    return { thread, from: source.userId ? { kind: 'line', address: source.userId } : thread };
  }
  return source.userId ? { from: { kind: 'line', address: source.userId } } : null;
}

const MEDIA_TYPES: Record<string, string> = { image: 'image/jpeg', video: 'video/mp4', audio: 'audio/m4a', file: 'application/octet-stream' };

/** Image, video, audio and file content lives at LINE (fetched later) unless the sender's own server holds it. */
function mediaAttachment(message: Record<string, unknown>, type: string): Attachment {
  const provider = message.contentProvider as { type?: string; originalContentUrl?: string } | undefined;
  const name = typeof message.fileName === 'string' ? message.fileName : undefined;
  const size = typeof message.fileSize === 'number' ? message.fileSize : undefined;
  const base: Attachment = { contentType: MEDIA_TYPES[type], ...(name ? { name } : {}), ...(size !== undefined ? { size } : {}) };
  if (provider?.type === 'external' && provider.originalContentUrl) return { ...base, url: provider.originalContentUrl };
  return { ...base, providerContentId: String(message.id) };
}

function messageContent(message: Record<string, unknown>): { kind: 'text' | 'media'; body: string; attachments: Attachment[] } | null {
  const type = String(message.type);
  switch (type) {
    case 'text':
      return { kind: 'text', body: String(message.text ?? ''), attachments: [] };
    case 'image':
    case 'video':
    case 'audio':
    case 'file':
      return { kind: 'media', body: type === 'file' ? String(message.fileName ?? '') : '', attachments: [mediaAttachment(message, type)] };
    case 'sticker':
      return {
        kind: 'media',
        body: '',
        attachments: [{ meta: { type: 'sticker', packageId: message.packageId, stickerId: message.stickerId, keywords: message.keywords } }],
      };
    case 'location':
      return {
        kind: 'text',
        body: [message.title, message.address].filter((part) => typeof part === 'string' && part).join('\n'),
        attachments: [{ meta: { type: 'location', latitude: message.latitude, longitude: message.longitude, address: message.address, title: message.title } }],
      };
    default:
      return null;
  }
}

/**
 * A LINE webhook body -> normalized events. The event key is LINE's `webhookEventId`, which a redelivery
 * repeats. Events we do not act on (beacons, video play completion, edits, account links, types LINE adds
 * later) are left out rather than refused.
 */
export function normalizeLineEvents(body: LineWebhookBody): InboundEvent[] {
  const events: InboundEvent[] = [];
  body.events.forEach((event, index) => {
    // The id is required in LINE's schema; should an event ever lack it, its time and place in this body stand
    // in, which still catches a redelivery of the same body.
    const eventKey = event.webhookEventId ?? `${event.timestamp}:${index}`;
    // Standby: another channel (a chat module, the LINE Official Account app) holds the chat; only observe.
    if (event.mode === 'standby') return;
    const place = placeOf(event.source);
    const occurredAt = new Date(event.timestamp);
    switch (event.type) {
      case 'message': {
        const content = event.message ? messageContent(event.message) : null;
        if (!content || !place || !event.message) return;
        events.push({
          type: 'message',
          eventKey,
          providerMessageId: event.message.id,
          ...place,
          ...content,
          occurredAt,
          ...(event.replyToken ? { replyToken: event.replyToken } : {}),
          ...(typeof event.message.quoteToken === 'string' ? { quoteToken: event.message.quoteToken } : {}),
        });
        return;
      }
      case 'postback': {
        if (!place || !event.postback) return;
        const params = event.postback.params ? ` (${Object.entries(event.postback.params).map(([k, v]) => `${k}: ${String(v)}`).join(', ')})` : '';
        events.push({
          type: 'message',
          eventKey,
          providerMessageId: `postback:${eventKey}`,
          ...place,
          kind: 'event',
          body: `${event.postback.data}${params}`,
          attachments: [],
          occurredAt,
          ...(event.replyToken ? { replyToken: event.replyToken } : {}),
        });
        return;
      }
      case 'follow':
      case 'unfollow': {
        if (!place || place.thread) return;
        // unfollow is LINE's "blocked": pushes still answer 200 but reach nobody.
        const detail = event.type === 'follow' ? { isUnblocked: event.follow?.isUnblocked ?? false } : {};
        events.push({ type: 'contact', eventKey, from: place.from, kind: event.type, detail, occurredAt });
        return;
      }
      case 'join':
      case 'leave':
      case 'memberJoined':
      case 'memberLeft': {
        if (!place?.thread) return;
        const kind = ({ join: 'joined', leave: 'left', memberJoined: 'member_joined', memberLeft: 'member_left' } as const)[event.type];
        const members = (event.joined ?? event.left)?.members ?? [];
        events.push({
          type: 'group',
          eventKey,
          group: place.thread,
          kind,
          members: members.flatMap((m) => (m.userId ? [{ kind: 'line' as const, address: m.userId }] : [])),
          occurredAt,
        });
        return;
      }
      case 'unsend':
        if (event.unsend) events.push({ type: 'unsend', eventKey, providerMessageId: event.unsend.messageId, occurredAt });
        return;
      default:
        return;
    }
  });
  return events;
}

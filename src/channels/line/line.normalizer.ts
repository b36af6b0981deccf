import type { Attachment, ChannelAddress, InboundEvent } from '../channel-adapter.js';
import type { LineEvent, LineWebhookBody } from './line.schema.js';

type Source = NonNullable<LineEvent['source']>;
type Place = { from: ChannelAddress; thread?: ChannelAddress };

/** The customer a user event comes from, or the group or room a group event happened in (and who spoke there). */
function placeOf(source: Source | undefined): Place | null {
  if (!source) return null;
  const groupId = source.type === 'group' ? source.groupId : source.type === 'room' ? source.roomId : undefined;
  if (groupId) {
    const thread: ChannelAddress = { kind: 'line_group', address: groupId };
    // A member who has not agreed to LINE's terms for bots writes without a userId: the group speaks for them.
    return { thread, from: source.userId ? { kind: 'line', address: source.userId } : thread };
  }
  return source.type === 'user' && source.userId ? { from: { kind: 'line', address: source.userId } } : null;
}

// LINE serves images as JPEG, video as MP4 and audio as M4A; the real type comes with the content when it is fetched.
const MEDIA_TYPES: Record<string, string> = { image: 'image/jpeg', video: 'video/mp4', audio: 'audio/m4a' };

// Files carry only a name; a few common extensions let the inbox show an icon before the content is fetched.
const FILE_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  zip: 'application/zip',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  mp4: 'video/mp4',
  m4a: 'audio/m4a',
  mp3: 'audio/mpeg',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

function fileType(name: string | undefined): string {
  const extension = name?.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  return FILE_TYPES[extension] ?? 'application/octet-stream';
}

/**
 * Image, video, audio and file content lives at LINE and is fetched later with the channel's token, unless the
 * sender's own server holds it (`contentProvider.type: external`, e.g. from a LIFF app): then its URL is the link.
 */
function mediaAttachment(message: Record<string, unknown>, type: string): Attachment {
  const provider = message.contentProvider as { type?: string; originalContentUrl?: string } | undefined;
  const name = typeof message.fileName === 'string' ? message.fileName : undefined;
  const size = typeof message.fileSize === 'number' ? message.fileSize : undefined;
  const base: Attachment = {
    contentType: type === 'file' ? fileType(name) : MEDIA_TYPES[type],
    ...(name ? { name } : {}),
    ...(size !== undefined ? { size } : {}),
  };
  if (provider?.type === 'external' && typeof provider.originalContentUrl === 'string') return { ...base, url: provider.originalContentUrl };
  return { ...base, providerContentId: String(message.id) };
}

function messageContent(message: Record<string, unknown>): { kind: 'text' | 'media'; body: string; attachments: Attachment[] } | null {
  const type = String(message.type);
  switch (type) {
    case 'text':
      return { kind: 'text', body: typeof message.text === 'string' ? message.text : '', attachments: [] };
    case 'image':
    case 'video':
    case 'audio':
    case 'file':
      return { kind: 'media', body: type === 'file' && typeof message.fileName === 'string' ? message.fileName : '', attachments: [mediaAttachment(message, type)] };
    case 'sticker':
      return {
        kind: 'media',
        body: '',
        attachments: [
          { meta: { type: 'sticker', packageId: message.packageId, stickerId: message.stickerId, ...(Array.isArray(message.keywords) ? { keywords: message.keywords } : {}) } },
        ],
      };
    case 'location': {
      const title = typeof message.title === 'string' ? message.title : undefined;
      const address = typeof message.address === 'string' ? message.address : undefined;
      return {
        kind: 'text',
        body: [title, address].filter(Boolean).join('\n'),
        attachments: [{ meta: { type: 'location', latitude: message.latitude, longitude: message.longitude, address, title } }],
      };
    }
    default:
      // A message type LINE adds later: left out rather than shown as an empty message.
      return null;
  }
}

/** `data (datetime: 2017-12-25T01:00)`: what a date picker or rich menu switch chose, beside the postback data. */
function postbackBody(postback: NonNullable<LineEvent['postback']>): string {
  const params = Object.entries(postback.params ?? {});
  if (params.length === 0) return postback.data;
  return `${postback.data} (${params.map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`).join(', ')})`;
}

const GROUP_KINDS = { join: 'joined', leave: 'left', memberJoined: 'member_joined', memberLeft: 'member_left' } as const;

/**
 * A LINE webhook body -> normalized events. The event key is LINE's `webhookEventId`, which a redelivery
 * repeats, so the hub takes each event once. Events we do not act on are left out rather than refused.
 * `now` stands in for an event without a timestamp.
 */
export function normalizeLineEvents(body: LineWebhookBody, now: Date): InboundEvent[] {
  const events: InboundEvent[] = [];
  body.events.forEach((event, index) => {
    // Standby: another channel (a module bot, or the LINE Official Account app's chat) holds the conversation;
    // its events are for watching only, and its reply tokens are not ours to use.
    if (event.mode === 'standby') return;
    // The id is required in LINE's schema; should an event ever lack it, its time and place in this body stand
    // in, which still catches the same body delivered twice (a redelivery may batch events differently).
    const eventKey = event.webhookEventId ?? `${event.timestamp ?? 'no-time'}:${index}`;
    const occurredAt = event.timestamp !== undefined ? new Date(event.timestamp) : now;
    const place = placeOf(event.source);
    // The reply token's freshness is counted from `occurredAt` by the hub: a redelivered event's token is stale.
    const replyToken = event.replyToken ? { replyToken: event.replyToken } : {};
    switch (event.type) {
      case 'message': {
        const content = event.message ? messageContent(event.message) : null;
        if (!content || !place || !event.message) return;
        const quoteToken = typeof event.message.quoteToken === 'string' ? { quoteToken: event.message.quoteToken } : {};
        events.push({ type: 'message', eventKey, providerMessageId: event.message.id, ...place, ...content, occurredAt, ...replyToken, ...quoteToken });
        return;
      }
      case 'postback': {
        if (!place || !event.postback) return;
        // A postback has no message id of its own; the event key is unique, and stable across redeliveries.
        events.push({
          type: 'message',
          eventKey,
          providerMessageId: `postback:${eventKey}`,
          ...place,
          kind: 'event',
          body: postbackBody(event.postback),
          attachments: [],
          occurredAt,
          ...replyToken,
        });
        return;
      }
      case 'follow':
      case 'unfollow': {
        // Only a user can follow the account; a group has join and leave instead.
        if (!place || place.thread) return;
        // unfollow is LINE's "blocked": pushes still answer 200 but reach nobody. follow.isUnblocked tells an
        // unblock from a new friend.
        const detail = event.type === 'follow' ? { isUnblocked: event.follow?.isUnblocked ?? false } : {};
        events.push({ type: 'contact', eventKey, from: place.from, kind: event.type, detail, occurredAt });
        return;
      }
      case 'join':
      case 'leave':
      case 'memberJoined':
      case 'memberLeft': {
        if (!place?.thread) return;
        const members = (event.type === 'memberJoined' ? event.joined : event.type === 'memberLeft' ? event.left : undefined)?.members ?? [];
        events.push({
          type: 'group',
          eventKey,
          group: place.thread,
          kind: GROUP_KINDS[event.type],
          members: members.flatMap((m) => (m.userId ? [{ kind: 'line' as const, address: m.userId }] : [])),
          occurredAt,
        });
        return;
      }
      case 'unsend':
        if (event.unsend) events.push({ type: 'unsend', eventKey, providerMessageId: event.unsend.messageId, occurredAt });
        return;
      default:
        // messageEdited (the hub keeps what was first said), videoPlayComplete, beacon, accountLink, membership,
        // delivery, module and bot status events, and whatever LINE adds next: nothing for an agent to act on.
        // Refusing them would make LINE redeliver the whole body.
        return;
    }
  });
  return events;
}

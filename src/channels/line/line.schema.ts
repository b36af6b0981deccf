import { z } from 'zod';
import { DomainError } from '../../common/errors/domain-error.js';
import type { ChannelAccount } from '../channel-adapter.js';
import { apiBaseUrl } from '../channels.schema.js';

/** The credentials of a LINE channel: sealed at rest, never returned. */
const secretFields = {
  channelSecret: z.string().min(8, 'must be the channel secret from the LINE Developers console').max(128),
  channelAccessToken: z.string().min(1, 'must be a (long-lived) channel access token').max(1024),
};

/** The rest of its config: stored as given and shown to administrators. */
const settingFields = {
  /** api.line.me when absent. */
  apiBaseUrl,
  /** Where content (images, files) is fetched: api-data.line.me, or `apiBaseUrl` when only that is given. */
  dataApiBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** LINE allows 2,000 requests a second per channel for push and reply. */
  sendsPerSecond: z.number().positive().max(2000).optional(),
};

/** `POST /api/channels` config of a LINE Official Account's Messaging API channel. */
export const lineConfigSchema = z.strictObject({ ...secretFields, ...settingFields });

export const lineSettingsSchema = z.object(settingFields);
export const lineSecretsSchema = z.object(secretFields).partial();
export type LineSettings = z.output<typeof lineSettingsSchema>;
export type LineSecrets = z.output<typeof lineSecretsSchema>;
export const LINE_SECRET_KEYS = lineSecretsSchema.keyof().options;
/** A LINE channel as its adapter and sender see it. */
export type LineAccount = ChannelAccount<LineSettings, LineSecrets>;

/** A chat the bot is in with several people: a `group`, or a `room` (people invited together, without a group). */
export type LineGroupKind = 'group' | 'room';

/** LINE's ids say what they name: `U` a user, `C` a group, `R` a room. */
export function lineGroupKind(groupId: string): LineGroupKind {
  return groupId.startsWith('R') ? 'room' : 'group';
}

const source = z.looseObject({
  type: z.string(),
  userId: z.string().optional(),
  groupId: z.string().optional(),
  roomId: z.string().optional(),
});

/**
 * One webhook event, read leniently: LINE adds event types and fields over time, and an event we do not know
 * must not make the whole delivery fail (LINE would redeliver it again and again). Only `type` is required; the
 * parts of the types we act on are checked when they are present: a message without an id is not something LINE
 * sends, so that body is refused rather than half read.
 */
export const lineEvent = z.looseObject({
  type: z.string(),
  /** `standby`: another channel (a module bot, the LINE Official Account app) holds the chat. */
  mode: z.string().optional(),
  /** Milliseconds since the epoch; required by LINE's schema, but a future type without it must not fail. */
  timestamp: z.number().optional(),
  source: source.optional(),
  /** A ULID; a redelivery carries the same one. */
  webhookEventId: z.string().optional(),
  replyToken: z.string().optional(),
  deliveryContext: z.looseObject({ isRedelivery: z.boolean().optional() }).optional(),
  message: z.looseObject({ id: z.string(), type: z.string() }).optional(),
  follow: z.looseObject({ isUnblocked: z.boolean().optional() }).optional(),
  postback: z.looseObject({ data: z.string(), params: z.record(z.string(), z.unknown()).optional() }).optional(),
  joined: z.looseObject({ members: z.array(source) }).optional(),
  left: z.looseObject({ members: z.array(source) }).optional(),
  unsend: z.looseObject({ messageId: z.string() }).optional(),
});
export type LineEvent = z.output<typeof lineEvent>;

export const lineWebhookBody = z.looseObject({
  /** The bot's own user id. */
  destination: z.string().optional(),
  events: z.array(lineEvent),
});
export type LineWebhookBody = z.output<typeof lineWebhookBody>;

/**
 * The raw bytes of a (verified) webhook call -> its body. Parsed from the bytes the signature covered, never
 * from a body parser's copy, so that what we act on is what LINE signed.
 */
export function parseLineWebhook(rawBody: Buffer): LineWebhookBody {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new DomainError('invalid', 'invalid_payload', 'The LINE webhook body is not valid JSON.');
  }
  const result = lineWebhookBody.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const what =
      issue.path.length === 0
        ? 'the body is not a JSON object with an events array'
        : issue.path.length === 1 && issue.path[0] === 'events'
          ? 'events must be an array of events'
          : `${fieldOf(issue.path)}: ${issue.message}`;
    throw new DomainError(
      'invalid',
      'invalid_payload',
      `The LINE webhook body cannot be read: ${what}.`,
      result.error.issues.map((i) => ({ field: fieldOf(i.path) || '(body)', message: i.message })),
    );
  }
  return result.data;
}

/** `events[0].message.id`, as a person reads a path. */
function fieldOf(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`)).join('');
}

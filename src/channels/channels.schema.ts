import { FILE_KINDS } from '../common/files/index.js';
import { z } from 'zod';
import { CHANNEL_CHECK_CODES } from './channel-check.js';
import { CHANNEL_TYPES } from '../common/channel-types.js';
import { CHANNEL_PROVIDERS } from './channel-adapter.js';

export const createChannelBody = z.strictObject({
  type: z.enum(CHANNEL_TYPES),
  provider: z.string().min(1).max(40),
  name: z.string().trim().min(1).max(100),
  config: z.record(z.string(), z.unknown()).default({}),
});

export const updateChannelBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  active: z.boolean().optional(),
  /** Merged into the current config: send only what changes (a secret left out is kept). */
  config: z.record(z.string(), z.unknown()).optional(),
});

/** Every channel's config accepts this: the SDK is pointed at it (tests, regional endpoints). */
export const apiBaseUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional();

// What the routes answer with (documented in openapi.json through @Answers, which holds each route to its view).

/** What the composer may offer on a channel: text length, files, reply window, groups. */
export const channelCapabilitiesView = z
  .object({
    /** How the channel carries each kind of file (`native` or as a signed `link`); a kind not listed is refused. */
    files: z.object({
      kinds: z.partialRecord(z.enum(FILE_KINDS), z.enum(['native', 'link'])),
      maxBytes: z.number(),
      maxPerMessage: z.number(),
    }),
    templates: z.boolean(),
    typing: z.boolean(),
    readReceipts: z.boolean(),
    replyTokens: z.boolean(),
    groups: z.boolean(),
    /** Longest text one message may carry, in characters. */
    maxTextLength: z.number(),
    /** Hours after the customer's last message during which free text may be sent; null: no window. */
    replyWindowHours: z.number().nullable(),
    /** Message objects one API call may carry (LINE: 5); longer replies are split. */
    maxMessagesPerCall: z.number(),
    /** Sends per second one account may make, unless its config says otherwise (`sendsPerSecond`). */
    sendsPerSecond: z.number(),
  })
  .meta({ id: 'ChannelCapabilities' });

const pairingState = z.enum(['starting', 'pairing', 'ready', 'disconnected']);

export const channelView = z
  .object({
    id: z.string(),
    type: z.enum(CHANNEL_TYPES),
    provider: z.enum(CHANNEL_PROVIDERS),
    name: z.string(),
    active: z.boolean(),
    /** The addresses to paste into the provider's console, by hook. */
    webhookUrls: z.record(z.string(), z.string()),
    capabilities: channelCapabilitiesView,
    /** The config without its secrets; `secretsSet` names the secrets that are stored. */
    config: z.record(z.string(), z.unknown()),
    secretsSet: z.array(z.string()),
    /** Channels that are a live connection (WhatsApp Web): `pairing`, `ready`, `disconnected`... and why. */
    session: z.object({ state: pairingState, detail: z.string().nullable() }).optional(),
    createdAt: z.string(),
  })
  .meta({ id: 'Channel' });
export const channelListView = z.object({ items: z.array(channelView), nextCursor: z.null() });

/** The groups and rooms a LINE bot is or was in. */
export const channelGroupView = z
  .object({ groupId: z.string(), kind: z.string(), name: z.string().nullable(), status: z.string(), joinedAt: z.string(), leftAt: z.string().nullable() })
  .meta({ id: 'ChannelGroup' });
export const channelGroupListView = z.object({ items: z.array(channelGroupView) });

/** A live-connection channel's state and, while it waits for a scan, its QR code. */
export const channelPairingView = z
  .object({
    state: pairingState,
    /** The QR code's text, for a client that draws it itself. */
    qr: z.string().nullable(),
    /** The same QR code as a PNG `data:` URL, to show as it is. */
    qrDataUrl: z.string().nullable(),
    /** Why it is disconnected (WhatsApp's reason, LOGOUT), when it is. */
    detail: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'ChannelPairing' });

/**
 * What `POST /api/channels/:id/check` found: `ok`, and `code` the stable reason when not (see `ChannelCheckCode`);
 * `message` a sentence for the administrator; `account` whom the credentials belong to when the provider said;
 * `providerStatus` and `providerMessage` the provider's own answer to a refused request.
 */
export const channelCheckView = z
  .object({
    ok: z.boolean(),
    code: z.enum(CHANNEL_CHECK_CODES),
    message: z.string(),
    account: z.string().nullable(),
    providerStatus: z.number().nullable(),
    providerMessage: z.string().nullable(),
    checkedAt: z.string(),
  })
  .meta({ id: 'ChannelCheck' });

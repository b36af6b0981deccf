import type { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import type * as LineSdk from '@line/bot-sdk';
import { createHash } from 'node:crypto';
import type { ErrorCode } from '../../common/errors/error-codes.js';
import { onDemand } from '../../common/on-demand.js';
import { outboundRefusal } from '../../common/outbound/index.js';
import type { OutboundGuard } from '../../common/outbound/index.js';
import type { Attachment, OutboundMessage, OutboundProductCard, SendResult } from '../channel-adapter.js';
import { httpsImageOf, viewLabelFor } from '../product-cards.js';
import { checkPassed, checkRefused, checkUnanswered } from '../channel-check.js';
import type { ChannelCheck } from '../channel-check.js';
import { lineGroupKind } from './line.schema.js';
import type { LineAccount } from './line.schema.js';

const LINE_API = 'https://api.line.me';
const LINE_DATA_API = 'https://api-data.line.me';
/** What a channel's `apiBaseUrl` and `dataApiBaseUrl` may name. */
export const LINE_API_ORIGINS = { apiBaseUrl: [LINE_API], dataApiBaseUrl: [LINE_DATA_API] } as const;
// LINE's limits: a text message holds 5,000 UTF-16 code units; one request carries 1 to 5 message objects.
const MAX_TEXT_UNITS = 5000;
const MAX_MESSAGES_PER_CALL = 5;
const REQUEST_TIMEOUT_MS = 15_000;

type SentMessage = { id?: string; quoteToken?: string; requestId?: string };

let loadedSdk: typeof LineSdk | null = null;
/** LINE's SDK, loaded with the first call a LINE channel makes. */
const lineSdk = onDemand(async () => (loadedSdk = await import('@line/bot-sdk')));

/** An error of the SDK's HTTP client (none can exist before the SDK is loaded). */
function isHttpFetchError(error: unknown): error is HTTPFetchError {
  return loadedSdk !== null && error instanceof loadedSdk.HTTPFetchError;
}

/** A text cut into LINE-sized pieces, never inside a surrogate pair (an emoji stays whole). */
export function splitLineText(text: string): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > MAX_TEXT_UNITS) {
    let cut = MAX_TEXT_UNITS;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces;
}

/**
 * X-Line-Retry-Key for one push call of one message: derived from our message id, so that a retry after a
 * timeout carries the same key and LINE answers 409 instead of sending twice.
 */
export function retryKeyOf(messageId: string, call: number): string {
  const hex = createHash('sha256').update(`${messageId}:${call}`).digest('hex');
  // Shaped as a version-4 UUID (version and variant bits set), the form LINE's documentation asks for.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

type LineMessage = messagingApi.TextMessage | messagingApi.ImageMessage | messagingApi.VideoMessage | messagingApi.AudioMessage | messagingApi.FlexMessage;

/** LINE's limit on a Flex message's `altText`, which the chat list and notifications show. */
const FLEX_ALT_TEXT_MAX = 1500;

/**
 * Product cards as one Flex carousel: a bubble per product with its photo (only https, as LINE requires), name,
 * variant, price and a button to the tracked link. The photo is a tap target too: people tap the picture.
 */
export function lineProductCarousel(cards: readonly OutboundProductCard[]): messagingApi.FlexMessage {
  const label = viewLabelFor(cards);
  const bubbles = cards.map((card): messagingApi.FlexBubble => {
    const image = httpsImageOf(card);
    const lines: messagingApi.FlexComponent[] = [{ type: 'text', text: card.name, weight: 'bold', size: 'md', wrap: true }];
    if (card.variant) lines.push({ type: 'text', text: card.variant, size: 'sm', color: '#666666', wrap: true });
    if (card.priceText) lines.push({ type: 'text', text: card.priceText, size: 'md', wrap: true });
    return {
      type: 'bubble',
      ...(image ? { hero: { type: 'image', url: image, size: 'full', aspectRatio: '1:1', aspectMode: 'cover', action: { type: 'uri', label, uri: card.link } } } : {}),
      body: { type: 'box', layout: 'vertical', spacing: 'sm', contents: lines },
      footer: { type: 'box', layout: 'vertical', contents: [{ type: 'button', style: 'primary', action: { type: 'uri', label, uri: card.link } }] },
    };
  });
  const altText = cards.map((card) => [card.name, card.priceText].filter(Boolean).join(' ')).join(' / ');
  return { type: 'flex', altText: altText.length > FLEX_ALT_TEXT_MAX ? `${altText.slice(0, FLEX_ALT_TEXT_MAX - 1)}…` : altText, contents: { type: 'carousel', contents: bubbles } };
}

/**
 * A file as LINE carries it: images, videos and audio as LINE's own messages, which LINE's app loads from the hub's
 * signed link (LINE requires a preview for images and videos, and an audio's duration). A bot has no file message,
 * so anything else (a PDF) goes as its name and the signed link, which the customer opens in their browser.
 */
export function lineFileMessage(file: Attachment): LineMessage {
  const url = file.url ?? '';
  if (file.kind === 'image') return { type: 'image', originalContentUrl: url, previewImageUrl: file.thumbnailUrl ?? url };
  if (file.kind === 'video' && file.thumbnailUrl) return { type: 'video', originalContentUrl: url, previewImageUrl: file.thumbnailUrl };
  if (file.kind === 'audio' && file.durationMs) return { type: 'audio', originalContentUrl: url, duration: file.durationMs };
  return { type: 'text', text: `📎 ${file.name ?? 'file'}\n${url}` };
}

/** The only place that talks to LINE's Messaging API. */
export class LineSender {
  /** The SDK has no timeout of its own (plain fetch): a request LINE never answers would hold a worker forever. */
  constructor(
    private readonly guard: OutboundGuard,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {}

  async send(channel: LineAccount, message: OutboundMessage): Promise<SendResult> {
    const products = message.products ?? [];
    if (message.body.length === 0 && message.attachments.length === 0 && products.length === 0) {
      return { ok: false, retry: false, code: 'empty_message', reason: 'LINE cannot send an empty message.' };
    }
    const client = await this.client(channel);
    const objects: LineMessage[] = [
      ...(message.body ? splitLineText(message.body).map((text): LineMessage => ({ type: 'text', text })) : []),
      ...message.attachments.map(lineFileMessage),
      ...(products.length > 0 ? [lineProductCarousel(products)] : []),
    ];
    const calls: LineMessage[][] = [];
    for (let i = 0; i < objects.length; i += MAX_MESSAGES_PER_CALL) calls.push(objects.slice(i, i + MAX_MESSAGES_PER_CALL));
    // A quote reply: the first part cites the earlier message, the rest follow it.
    const first = calls[0][0];
    if (message.quoteToken && first.type === 'text') calls[0][0] = { ...first, quoteToken: message.quoteToken };
    // A reply cannot carry a retry key, and the outbox hands out a reply token once: if a later call of a
    // several-call message failed, the retry would push the first part again. Such a message goes by push only.
    const replyToken = calls.length === 1 ? message.replyToken : undefined;
    const keyOf = (call: number) => (message.retryKey ? (call === 0 ? message.retryKey : retryKeyOf(message.retryKey, call)) : retryKeyOf(message.messageId, call));
    let sent: SentMessage | undefined;
    try {
      for (const [index, messages] of calls.entries()) {
        const replied = index === 0 && replyToken ? await this.reply(client, replyToken, messages) : null;
        const answer = replied ?? (await this.push(client, message.to.address, messages, keyOf(index)));
        sent ??= answer;
      }
    } catch (error) {
      return failure(error);
    }
    // LINE's answer lists the sent messages; an answer without them (older API versions) still means sent.
    return {
      ok: true,
      providerMessageId: sent?.id ?? `line:${message.messageId}`,
      ...(sent?.quoteToken ? { quoteToken: sent.quoteToken } : {}),
      ...(sent?.requestId ? { providerRequestId: sent.requestId } : {}),
    };
  }

  /**
   * Free and immediate, but the token is single-use and expires about a minute after the webhook: LINE answers
   * 400 for a used or expired one, and the message goes by push instead. (A reply that times out after LINE took
   * it cannot be told apart from a lost one; it is retried by push, the one case that can send twice.)
   */
  private async reply(client: messagingApi.MessagingApiClient, replyToken: string, messages: LineMessage[]): Promise<SentMessage | null> {
    try {
      const answer = await this.timed(() => client.replyMessage({ replyToken, messages }));
      return answer.sentMessages?.[0] ?? {};
    } catch (error) {
      if (isHttpFetchError(error) && error.status === 400) return null;
      throw error;
    }
  }

  private async push(client: messagingApi.MessagingApiClient, to: string, messages: LineMessage[], retryKey: string): Promise<SentMessage> {
    try {
      const { httpResponse, body } = await this.timed(() => client.pushMessageWithHttpInfo({ to, messages }, retryKey));
      return { ...body.sentMessages?.[0], requestId: httpResponse.headers.get('x-line-request-id') ?? undefined };
    } catch (error) {
      // 409: a request with this retry key was accepted before (our earlier attempt timed out): it is sent.
      if (isHttpFetchError(error) && error.status === 409) {
        const body = parseJson(error.body) as { sentMessages?: SentMessage[] } | null;
        const requestId = error.headers.get('x-line-accepted-request-id') ?? undefined;
        return { ...(body?.sentMessages?.[0] ?? { id: `line-accepted:${requestId ?? retryKey}` }), requestId };
      }
      throw error;
    }
  }

  /** The bot's own account ("Get bot info"): a read that only a valid channel access token answers. */
  async check(channel: LineAccount): Promise<ChannelCheck> {
    try {
      const client = await this.client(channel);
      const bot = await this.timed(() => client.getBotInfo());
      return checkPassed(`${bot.displayName} (${bot.basicId})`, `LINE accepts the channel access token of ${bot.displayName}.`);
    } catch (error) {
      if (!isHttpFetchError(error)) return checkUnanswered('LINE', error);
      const answer = parseJson(error.body) as { message?: string } | null;
      return checkRefused({ provider: 'LINE', credentials: 'the channel access token', target: 'this bot' }, error.status, answer?.message ?? null);
    }
  }

  async profileName(channel: LineAccount, userId: string): Promise<string | null> {
    const client = await this.client(channel);
    return orNullWhenGone(async () => (await this.timed(() => client.getProfile(userId))).displayName);
  }

  async groupName(channel: LineAccount, groupId: string): Promise<string | null> {
    // Rooms have no summary and no name.
    if (lineGroupKind(groupId) === 'room') return null;
    const client = await this.client(channel);
    return orNullWhenGone(async () => (await this.timed(() => client.getGroupSummary(groupId))).groupName);
  }

  /**
   * Content of an image, video, audio or file message; LINE keeps it for a limited time only. At most the guard's
   * download cap is read (LINE's files reach 200 MB).
   */
  async fetchContent(channel: LineAccount, messageId: string): Promise<{ data: Buffer; contentType: string }> {
    const { settings } = channel;
    const { messagingApi } = await lineSdk();
    const blob = new messagingApi.MessagingApiBlobClient({
      channelAccessToken: channel.secrets.channelAccessToken ?? '',
      // Content is served from api-data.line.me; a test fake (or proxy) given as apiBaseUrl serves both.
      baseURL: settings.dataApiBaseUrl ?? settings.apiBaseUrl ?? LINE_DATA_API,
    });
    // Only the WithHttpInfo variant exposes the response, and with it the content type.
    const { httpResponse, body } = await this.timed(() => blob.getMessageContentWithHttpInfo(messageId));
    const data = await this.timed(() => this.guard.readLimited(body, httpResponse.headers.get('content-length')));
    return { data, contentType: httpResponse.headers.get('content-type') ?? 'application/octet-stream' };
  }

  /**
   * Runs the SDK's call through the outbound guard (the SDK fetches on its own) and gives up waiting after the
   * timeout; the request may still succeed at LINE, which is what the push's retry key is for.
   */
  private timed<T>(call: () => Promise<T>): Promise<T> {
    const request = this.guard.run(call);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`LINE did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    return Promise.race([request, timeout]).finally(() => clearTimeout(timer));
  }

  private async client(channel: LineAccount): Promise<messagingApi.MessagingApiClient> {
    const { messagingApi } = await lineSdk();
    return new messagingApi.MessagingApiClient({ channelAccessToken: channel.secrets.channelAccessToken ?? '', baseURL: channel.settings.apiBaseUrl ?? LINE_API });
  }
}

/**
 * 429 and 5xx (and no answer at all) are worth retrying; any other 4xx will fail the same way again, so it is
 * shown to the agent in words.
 */
function failure(error: unknown): SendResult {
  const refused = outboundRefusal(error);
  if (refused) return { ok: false, retry: false, code: refused.code, reason: refused.message };
  if (!(isHttpFetchError(error))) {
    return { ok: false, retry: true, code: 'provider_unreachable', reason: 'LINE could not be reached; the message will be sent when it answers.' };
  }
  if (error.status === 429) return { ok: false, retry: true, code: 'rate_limited', reason: 'LINE is limiting how fast we send; the message will go out shortly.' };
  if (error.status >= 500) return { ok: false, retry: true, code: 'provider_unavailable', reason: 'LINE is unavailable for a moment; retrying.' };
  const answer = parseJson(error.body) as { message?: string; details?: { message?: string; property?: string }[] } | null;
  const detail = [answer?.message, ...(answer?.details ?? []).map((d) => [d.property, d.message].filter(Boolean).join(' '))].filter(Boolean).join('; ');
  const reasons: Record<number, [ErrorCode, string]> = {
    400: ['provider_refused', `LINE refused the message${detail ? ` (${detail})` : ''}.`],
    401: ['provider_credentials_refused', 'LINE refused the channel access token; check the channel settings.'],
    403: ['permission_missing', 'This LINE channel may not send this message (its plan or permissions do not allow it).'],
    404: ['recipient_unreachable', 'LINE does not know this recipient (the user, group or room may be gone).'],
  };
  const [code, reason] = reasons[error.status] ?? ['provider_refused', `LINE refused the message (HTTP ${error.status}).`];
  return { ok: false, retry: false, code, reason, details: { provider: 'line', status: error.status, ...(detail ? { providerMessage: detail } : {}) } };
}

/** 404: no such user or group (any more); 403: the user is not a friend, or the bot is no longer in the group. */
async function orNullWhenGone(read: () => Promise<string>): Promise<string | null> {
  try {
    return await read();
  } catch (error) {
    if (isHttpFetchError(error) && (error.status === 404 || error.status === 403)) return null;
    throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ChannelAccount, OutboundMessage, SendResult } from '../channel-adapter.js';
import type { LineSettings } from './line.schema.js';

const LINE_API = 'https://api.line.me';
const LINE_DATA_API = 'https://api-data.line.me';
// LINE's limits: a text message holds 5,000 UTF-16 code units; one request carries 1 to 5 messages.
const MAX_TEXT_UNITS = 5000;
const MAX_MESSAGES_PER_CALL = 5;

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
 * X-Line-Retry-Key for one push of one message: derived from our message id, so that a retry after a timeout
 * carries the same key and LINE answers 409 instead of sending twice.
 */
export function retryKeyOf(messageId: string, call: number): string {
  const hex = createHash('sha256').update(`${messageId}:${call}`).digest('hex');
  // Shaped as a version-4 UUID, which is what LINE accepts.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The only place that talks to LINE's Messaging API. */
export class LineSender {
  /** The SDK has no timeout of its own: a request LINE never answers would hold a worker forever. */
  constructor(private readonly timeoutMs = 15_000) {}

  async send(channel: ChannelAccount, message: OutboundMessage): Promise<SendResult> {
    const client = this.client(channel);
    const texts = splitLineText(message.body);
    const calls: messagingApi.TextMessage[][] = [];
    for (let i = 0; i < texts.length; i += MAX_MESSAGES_PER_CALL) {
      calls.push(texts.slice(i, i + MAX_MESSAGES_PER_CALL).map((text) => ({ type: 'text', text })));
    }
    let first: { id?: string; quoteToken?: string } | undefined;
    try {
      for (const [index, messages] of calls.entries()) {
        const sent = index === 0 && message.replyToken ? await this.reply(client, message.replyToken, messages) : null;
        const answer = sent ?? (await this.push(client, message.to.address, messages, retryKeyOf(message.messageId, index)));
        first ??= answer;
      }
    } catch (error) {
      return failure(error);
    }
    return { ok: true, providerMessageId: first?.id ?? `line:${message.messageId}`, ...(first?.quoteToken ? { quoteToken: first.quoteToken } : {}) };
  }

  /** Free and immediate, but the token is single-use and short-lived: a refusal sends us to push. */
  private async reply(client: messagingApi.MessagingApiClient, replyToken: string, messages: messagingApi.TextMessage[]) {
    try {
      const answer = await this.timed(client.replyMessage({ replyToken, messages }));
      return answer.sentMessages?.[0] ?? {};
    } catch (error) {
      if (error instanceof HTTPFetchError && error.status === 400) return null;
      throw error;
    }
  }

  private async push(client: messagingApi.MessagingApiClient, to: string, messages: messagingApi.TextMessage[], retryKey: string) {
    try {
      const answer = await this.timed(client.pushMessage({ to, messages }, retryKey));
      return answer.sentMessages?.[0] ?? {};
    } catch (error) {
      // 409: a request with this retry key was accepted before (our earlier attempt timed out): it is sent.
      if (error instanceof HTTPFetchError && error.status === 409) {
        const body = parseJson(error.body) as { sentMessages?: { id?: string; quoteToken?: string }[] } | null;
        return body?.sentMessages?.[0] ?? { id: `line-accepted:${error.headers.get('x-line-accepted-request-id') ?? retryKey}` };
      }
      throw error;
    }
  }

  /** Gives up waiting; the request may still succeed at LINE, which is what the push's retry key is for. */
  private timed<T>(request: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`LINE did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    return Promise.race([request, timeout]).finally(() => clearTimeout(timer));
  }

  async profileName(channel: ChannelAccount, userId: string): Promise<string | null> {
    return orNullOn404(async () => (await this.client(channel).getProfile(userId)).displayName);
  }

  async groupName(channel: ChannelAccount, groupId: string): Promise<string | null> {
    // Rooms (R...) have no summary and no name.
    if (!groupId.startsWith('C')) return null;
    return orNullOn404(async () => (await this.client(channel).getGroupSummary(groupId)).groupName);
  }

  async fetchContent(channel: ChannelAccount, messageId: string): Promise<{ data: Buffer; contentType: string }> {
    const settings = channel.settings as LineSettings;
    const blob = new messagingApi.MessagingApiBlobClient({
      channelAccessToken: String(channel.secrets.channelAccessToken),
      baseURL: settings.dataApiBaseUrl ?? settings.apiBaseUrl ?? LINE_DATA_API,
    });
    const { httpResponse, body } = await blob.getMessageContentWithHttpInfo(messageId);
    return { data: await readAll(body), contentType: httpResponse.headers.get('content-type') ?? 'application/octet-stream' };
  }

  private client(channel: ChannelAccount): messagingApi.MessagingApiClient {
    const settings = channel.settings as LineSettings;
    return new messagingApi.MessagingApiClient({ channelAccessToken: String(channel.secrets.channelAccessToken), baseURL: settings.apiBaseUrl ?? LINE_API });
  }
}

function failure(error: unknown): SendResult {
  if (!(error instanceof HTTPFetchError)) {
    return { ok: false, retry: true, code: 'provider_unreachable', reason: 'LINE could not be reached; the message will be sent when it answers.' };
  }
  if (error.status === 429) return { ok: false, retry: true, code: 'rate_limited', reason: 'LINE is limiting how fast we send; the message will go out shortly.' };
  if (error.status >= 500) return { ok: false, retry: true, code: 'provider_unavailable', reason: 'LINE is unavailable for a moment; retrying.' };
  const detail = (parseJson(error.body) as { message?: string } | null)?.message;
  const reasons: Record<number, string> = {
    400: `LINE refused the message${detail ? ` (${detail})` : ''}.`,
    401: 'LINE refused the channel access token; an administrator should check the channel settings.',
    403: 'This LINE channel may not send this message (its plan or permissions do not allow it).',
    404: 'LINE does not know this recipient (the user or group may be gone).',
  };
  return { ok: false, retry: false, code: `line_${error.status}`, reason: reasons[error.status] ?? `LINE refused the message (HTTP ${error.status}).` };
}

async function orNullOn404(read: () => Promise<string>): Promise<string | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof HTTPFetchError && (error.status === 404 || error.status === 403)) return null;
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

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { startHttpFake } from './http-fake.js';
import type { FakeReply, HttpFake, RecordedRequest } from './http-fake.js';

export interface LineFakeOptions {
  channelAccessToken: string;
  /** The bot's name as `GET /v2/bot/info` answers it. */
  botName?: string;
}

/**
 * What the next reply or push gets instead of a success, in `failNext` order: `{ status }` answers that
 * status with LINE's error body; `{ delayMs }` alone accepts the request but answers late (a client timeout,
 * after which a push retried with the same retry key gets 409). `delayMs` on an error delays the error.
 */
export type LineOutcome = { status: number; message?: string; delayMs?: number } | { delayMs: number };

export interface LineSentMessage {
  id: string;
  quoteToken: string;
}

/** An accepted reply or push, as the fake received it. */
export interface LineDelivery {
  requestId: string;
  messages: LineMessage[];
  sentMessages: LineSentMessage[];
  headers: RecordedRequest['headers'];
}

export interface LineReply extends LineDelivery {
  replyToken: string;
}

export interface LinePush extends LineDelivery {
  to: string;
  retryKey?: string;
}

/** A message object as sent; only `type` and, for text, `text` are looked at. */
export type LineMessage = { type: string; text?: string } & Record<string, unknown>;

export interface LineProfile {
  displayName: string;
  pictureUrl?: string;
  statusMessage?: string;
  language?: string;
}

export interface LineFake extends HttpFake {
  replies: LineReply[];
  pushes: LinePush[];
  /** Makes `token` (or a fresh one) usable for exactly one reply, as a webhook event's replyToken is. */
  issueReplyToken(token?: string): string;
  setProfile(userId: string, profile: LineProfile): void;
  setGroup(groupId: string, groupName: string, pictureUrl?: string): void;
  setContent(messageId: string, content: Buffer, contentType: string): void;
  failNext(...outcomes: LineOutcome[]): void;
  /**
   * Every reply and push answered with this error (LINE down: 500, or limiting: 429) until called with null. A
   * request answered so is not accepted: its retry key stays unused.
   */
  setOutage(outage: { status: number; message?: string } | null): void;
  /** Every profile, group summary and content request answered with this error (500: LINE down) until null. */
  setReadOutage(status: number | null): void;
  /** Push requests received per X-Line-Retry-Key, accepted or not (409s and outage answers included). */
  retryKeyRequests: Map<string, number>;
  /** How many pushes LINE accepted with this retry key: never more than one. */
  acceptedWith(retryKey: string): number;
  /** Pushes accepted to a user, group or room id. */
  pushesTo(to: string): LinePush[];
}

// Limits from the Messaging API reference: 1 to 5 message objects per request; a text message's `text` is at
// most 5000 characters counted in UTF-16 code units, which is what String.length counts.
const MAX_MESSAGES = 5;
const MAX_TEXT_LENGTH = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const STATUS_MESSAGES: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  429: 'The API rate limit has been exceeded. Try again later.',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * A local stand-in for api.line.me and api-data.line.me (one server serves both), answering in the Messaging
 * API's wire format so that `@line/bot-sdk`'s clients can be pointed at it with `baseURL`.
 */
export async function startLineFake(options: LineFakeOptions): Promise<LineFake> {
  const replies: LineReply[] = [];
  const pushes: LinePush[] = [];
  const scripted: LineOutcome[] = [];
  const unusedReplyTokens = new Set<string>();
  const acceptedRetryKeys = new Map<string, { requestId: string; sentMessages: LineSentMessage[] }>();
  const profiles = new Map<string, LineProfile>();
  const groups = new Map<string, { groupName: string; pictureUrl?: string }>();
  const contents = new Map<string, { content: Buffer; contentType: string }>();
  const retryKeyRequests = new Map<string, number>();
  // Quote tokens LINE handed out for the messages it sent; a quote reply must cite one of them.
  const issuedQuoteTokens = new Set<string>();
  let outage: { status: number; message?: string } | null = null;
  let readOutage: number | null = null;
  let nextMessageId = 500_000_000_000_000_000n;

  function sentMessagesFor(messages: LineMessage[]): LineSentMessage[] {
    return messages.map(() => {
      const sent = { id: String(nextMessageId++), quoteToken: randomBytes(24).toString('base64url') };
      issuedQuoteTokens.add(sent.quoteToken);
      return sent;
    });
  }

  function reply(request: RecordedRequest, requestId: string): FakeReply {
    // LINE refuses a retry key on reply: a reply token is single-use, so a retried reply cannot be made safe.
    if (request.headers['x-line-retry-key'] !== undefined) {
      return lineError(400, 'The retry key cannot be used with this API');
    }
    if (outage) return lineError(outage.status, outage.message);
    const outcome = scripted.shift();
    if (outcome && 'status' in outcome) return { ...lineError(outcome.status, outcome.message), delayMs: outcome.delayMs };
    const body = request.json as { replyToken?: unknown; messages?: unknown } | undefined;
    const invalid = invalidMessages(body?.messages, issuedQuoteTokens);
    if (invalid) return invalid;
    const replyToken = typeof body?.replyToken === 'string' ? body.replyToken : '';
    if (!unusedReplyTokens.delete(replyToken)) return lineError(400, 'Invalid reply token');
    const messages = body!.messages as LineMessage[];
    const sentMessages = sentMessagesFor(messages);
    replies.push({ replyToken, messages, sentMessages, requestId, headers: request.headers });
    return { status: 200, json: { sentMessages }, delayMs: outcome?.delayMs };
  }

  function push(request: RecordedRequest, requestId: string): FakeReply {
    const retryKey = headerValue(request, 'x-line-retry-key');
    if (retryKey !== undefined && !UUID.test(retryKey)) {
      return lineError(400, 'The value for the \'X-Line-Retry-Key\' header is invalid');
    }
    if (retryKey !== undefined) retryKeyRequests.set(retryKey, (retryKeyRequests.get(retryKey) ?? 0) + 1);
    if (outage) return lineError(outage.status, outage.message);
    // A key LINE already accepted means the first attempt went through (its answer may have been lost): 409,
    // with the original request's id and sent messages, and nothing sent twice.
    const accepted = retryKey === undefined ? undefined : acceptedRetryKeys.get(retryKey);
    if (accepted) {
      return {
        ...lineError(409, 'The retry key is already accepted', { sentMessages: accepted.sentMessages }),
        headers: { 'x-line-accepted-request-id': accepted.requestId },
      };
    }
    const outcome = scripted.shift();
    if (outcome && 'status' in outcome) return { ...lineError(outcome.status, outcome.message), delayMs: outcome.delayMs };
    const body = request.json as { to?: unknown; messages?: unknown } | undefined;
    if (typeof body?.to !== 'string' || body.to === '') {
      return lineError(400, 'The request body has 1 error(s)', { details: [{ message: 'must be specified', property: 'to' }] });
    }
    const invalid = invalidMessages(body.messages, issuedQuoteTokens);
    if (invalid) return invalid;
    const messages = body.messages as LineMessage[];
    const sentMessages = sentMessagesFor(messages);
    if (retryKey !== undefined) acceptedRetryKeys.set(retryKey, { requestId, sentMessages });
    pushes.push({ to: body.to, retryKey, messages, sentMessages, requestId, headers: request.headers });
    return { status: 200, json: { sentMessages }, delayMs: outcome?.delayMs };
  }

  function handle(request: RecordedRequest): FakeReply {
    const requestId = randomUUID();
    const answer = route(request, requestId);
    // LINE puts a request id on every answer, errors included; support asks for it.
    return { ...answer, headers: { 'x-line-request-id': requestId, ...answer.headers } };
  }

  function route(request: RecordedRequest, requestId: string): FakeReply {
    if (request.headers.authorization !== `Bearer ${options.channelAccessToken}`) {
      return lineError(401, 'Authentication failed. Confirm that the access token in the authorization header is valid.');
    }
    const { method, path } = request;
    if (method === 'POST' && path === '/v2/bot/message/reply') return reply(request, requestId);
    if (method === 'POST' && path === '/v2/bot/message/push') return push(request, requestId);
    if (method === 'GET' && readOutage !== null) return lineError(readOutage, 'Internal server error');
    // The bot's own account: what a channel's "check" asks (Messaging API, "Get bot info").
    if (method === 'GET' && path === '/v2/bot/info') {
      return { status: 200, json: { userId: 'U' + 'b07'.repeat(10) + 'ab', basicId: '@123abcde', displayName: options.botName ?? 'Tsunagi test bot', chatMode: 'chat', markAsReadMode: 'auto' } };
    }
    let match: RegExpExecArray | null;
    if (method === 'GET' && (match = /^\/v2\/bot\/profile\/([^/]+)$/.exec(path))) {
      const userId = decodeURIComponent(match[1]);
      const profile = profiles.get(userId);
      return profile ? { status: 200, json: { userId, ...profile } } : lineError(404, 'Not found');
    }
    if (method === 'GET' && (match = /^\/v2\/bot\/group\/([^/]+)\/summary$/.exec(path))) {
      const groupId = decodeURIComponent(match[1]);
      const group = groups.get(groupId);
      return group ? { status: 200, json: { groupId, ...group } } : lineError(404, 'Not found');
    }
    // Served by api-data.line.me in production.
    if (method === 'GET' && (match = /^\/v2\/bot\/message\/([^/]+)\/content$/.exec(path))) {
      const stored = contents.get(decodeURIComponent(match[1]));
      return stored ? { status: 200, body: stored.content, headers: { 'content-type': stored.contentType } } : lineError(404, 'Not found');
    }
    return lineError(404, 'Not found');
  }

  const fake = await startHttpFake(handle);
  return {
    ...fake,
    replies,
    pushes,
    issueReplyToken: (token = randomBytes(16).toString('hex')) => {
      unusedReplyTokens.add(token);
      return token;
    },
    setProfile: (userId, profile) => {
      profiles.set(userId, profile);
    },
    setGroup: (groupId, groupName, pictureUrl) => {
      groups.set(groupId, pictureUrl === undefined ? { groupName } : { groupName, pictureUrl });
    },
    setContent: (messageId, content, contentType) => {
      contents.set(messageId, { content, contentType });
    },
    failNext: (...outcomes) => {
      scripted.push(...outcomes);
    },
    setReadOutage: (status) => {
      readOutage = status;
    },
    setOutage: (next) => {
      outage = next;
    },
    retryKeyRequests,
    acceptedWith: (retryKey) => pushes.filter((push) => push.retryKey === retryKey).length,
    pushesTo: (to) => pushes.filter((push) => push.to === to),
  };
}

/** LINE's validation answer for a `messages` array, or undefined when it is acceptable. */
function invalidMessages(messages: unknown, knownQuoteTokens: ReadonlySet<string>): FakeReply | undefined {
  if (!Array.isArray(messages) || messages.length < 1 || messages.length > MAX_MESSAGES) {
    return lineError(400, 'The request body has 1 error(s)', {
      details: [{ message: `Size must be between 1 and ${MAX_MESSAGES}`, property: 'messages' }],
    });
  }
  const details = messages.flatMap((message: unknown, index) => {
    const { type, text, quoteToken } = (message ?? {}) as { type?: unknown; text?: unknown; quoteToken?: unknown };
    if (typeof type !== 'string') return [{ message: 'must be specified', property: `messages[${index}].type` }];
    if (type === 'flex') return invalidFlex(message as Record<string, unknown>, `messages[${index}]`);
    if (type !== 'text') return [];
    if (quoteToken !== undefined && (typeof quoteToken !== 'string' || !knownQuoteTokens.has(quoteToken))) {
      return [{ message: 'The quote token is invalid', property: `messages[${index}].quoteToken` }];
    }
    if (typeof text !== 'string' || text.length === 0) return [{ message: 'must be specified', property: `messages[${index}].text` }];
    if (text.length > MAX_TEXT_LENGTH) return [{ message: `Length must be between 0 and ${MAX_TEXT_LENGTH}`, property: `messages[${index}].text` }];
    return [];
  });
  if (details.length === 0) return undefined;
  return lineError(400, `The request body has ${details.length} error(s)`, { details });
}

/**
 * A Flex message as the Messaging API reference bounds it: `altText` of 1 to 1500 characters, contents a bubble or a
 * carousel of 1 to 12 bubbles; an image's `url` https and at most 2000 characters; a URI action's `uri` http(s),
 * line: or tel: and at most 1000 characters.
 */
function invalidFlex(message: Record<string, unknown>, at: string): Array<{ message: string; property: string }> {
  const problems: Array<{ message: string; property: string }> = [];
  const altText = message.altText;
  if (typeof altText !== 'string' || altText.length === 0 || altText.length > 1500) problems.push({ message: 'Length must be between 1 and 1500', property: `${at}.altText` });
  const contents = (message.contents ?? {}) as { type?: unknown; contents?: unknown };
  const bubbles = contents.type === 'carousel' ? contents.contents : contents.type === 'bubble' ? [contents] : null;
  if (!Array.isArray(bubbles) || bubbles.length < 1 || bubbles.length > 12) return [...problems, { message: 'must be a bubble or a carousel of 1 to 12 bubbles', property: `${at}.contents` }];
  const walk = (node: unknown, path: string): void => {
    if (!node || typeof node !== 'object') return;
    const item = node as Record<string, unknown>;
    if (item.type === 'image' && (typeof item.url !== 'string' || !item.url.startsWith('https://') || item.url.length > 2000)) problems.push({ message: 'must be an https URL', property: `${path}.url` });
    if (item.type === 'uri' && (typeof item.uri !== 'string' || !/^(https?:|line:|tel:)/.test(item.uri) || item.uri.length > 1000)) problems.push({ message: 'must be a valid URI', property: `${path}.uri` });
    for (const [key, value] of Object.entries(item)) {
      if (Array.isArray(value)) value.forEach((child, i) => walk(child, `${path}.${key}[${i}]`));
      else if (value && typeof value === 'object') walk(value, `${path}.${key}`);
    }
  };
  bubbles.forEach((bubble: unknown, i) => {
    if ((bubble as { type?: unknown })?.type !== 'bubble') problems.push({ message: 'must be a bubble', property: `${at}.contents.contents[${i}]` });
    walk(bubble, `${at}.contents.contents[${i}]`);
  });
  return problems;
}

/** LINE's error body: `{message, details?}`, plus `sentMessages` on a 409. */
function lineError(status: number, message?: string, extra: Record<string, unknown> = {}): FakeReply {
  return { status, json: { message: message ?? STATUS_MESSAGES[status] ?? `Error ${status}`, ...extra } };
}

function headerValue(request: RecordedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The `x-line-signature` LINE sends with a webhook body: base64 HMAC-SHA256 of the raw bytes. */
export function signLineBody(channelSecret: string, rawBody: string | Buffer): string {
  return createHmac('sha256', channelSecret).update(rawBody).digest('base64');
}

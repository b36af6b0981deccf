import { createHmac, randomBytes } from 'node:crypto';
import { startHttpFake } from './http-fake.js';
import type { FakeReply, HttpFake, RecordedRequest } from './http-fake.js';

export interface WhatsAppCloudFakeOptions {
  accessToken: string;
  phoneNumberId: string;
  /** The number as `GET /{phone-number-id}` describes it. */
  displayPhoneNumber?: string;
  verifiedName?: string;
}

/**
 * What the next send gets instead of a success, in `failNext` order: `{ status, code?, details? }` answers that
 * HTTP status with the Graph API's error body for `code` (131047 outside the window, 130429 throughput, 131056
 * pair rate, 100 invalid parameter...); `{ delayMs }` alone accepts the message but answers late.
 */
export type WhatsAppCloudOutcome = { status: number; code?: number; details?: string; delayMs?: number } | { delayMs: number };

/** A message the fake accepted: the request body as sent, and the wamid it answered with. */
export interface WhatsAppCloudSent {
  wamid: string;
  body: Record<string, unknown>;
}

export interface WhatsAppCloudFake extends HttpFake {
  /** The base URL a channel's `apiBaseUrl` takes: the fake's origin and the Graph API version. */
  apiBaseUrl: string;
  sent: WhatsAppCloudSent[];
  /** `downloadUrl`: where the media answer says the bytes lie, instead of the fake's own download route. */
  setMedia(mediaId: string, content: Buffer, mimeType: string, downloadUrl?: string): void;
  failNext(...outcomes: WhatsAppCloudOutcome[]): void;
}

const VERSION = 'v23.0';

// The Graph API's titles for the codes a sender has to tell apart (WhatsApp Cloud API error codes page).
const TITLES: Record<number, string> = {
  100: 'Invalid parameter',
  131047: 'Re-engagement message',
  130429: 'Rate limit hit',
  131056: '(Business Account, Consumer Account) pair rate limit hit',
  131000: 'Something went wrong',
  190: 'Invalid OAuth access token',
};

const DETAILS: Record<number, string> = {
  131047: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  130429: 'Message failed to send because there were too many messages sent from this phone number in a short period of time',
  131056: 'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.',
};

/**
 * A local stand-in for graph.facebook.com's WhatsApp Cloud API: `POST /{version}/{phone-number-id}/messages`
 * (text and template, validated as the API does), `GET /{version}/{media-id}` and the media download it points
 * to, answering in the Graph API's wire format (`{messaging_product, contacts, messages}` or `{error: {...}}`).
 */
export async function startWhatsAppCloudFake(options: WhatsAppCloudFakeOptions): Promise<WhatsAppCloudFake> {
  const sent: WhatsAppCloudSent[] = [];
  const scripted: WhatsAppCloudOutcome[] = [];
  const media = new Map<string, { content: Buffer; mimeType: string; downloadUrl?: string }>();
  let origin = '';

  function send(request: RecordedRequest): FakeReply {
    const outcome = scripted.shift();
    if (outcome && 'status' in outcome) return { ...graphError(outcome.status, outcome.code ?? 131000, outcome.details), delayMs: outcome.delayMs };
    const body = (request.json ?? null) as Record<string, unknown> | null;
    if (!body || body.messaging_product !== 'whatsapp') return graphError(400, 100, 'The parameter messaging_product is required.');
    const to = body.to;
    if (typeof to !== 'string' || !/^\+?\d{6,15}$/.test(to)) return graphError(400, 100, 'The parameter to is invalid.');
    if (body.type === 'text') {
      const text = (body.text ?? {}) as { body?: unknown };
      if (typeof text.body !== 'string' || text.body.length === 0 || text.body.length > 4096) return graphError(400, 100, 'The parameter text.body is required and at most 4096 characters.');
    } else if (body.type === 'template') {
      const template = (body.template ?? {}) as { name?: unknown; language?: { code?: unknown } };
      if (typeof template.name !== 'string' || typeof template.language?.code !== 'string') return graphError(400, 100, 'The parameters template.name and template.language.code are required.');
    } else {
      return graphError(400, 100, `The fake does not take messages of type ${String(body.type)}.`);
    }
    const wamid = `wamid.${randomBytes(24).toString('base64url')}`;
    sent.push({ wamid, body });
    return { status: 200, json: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to.replace(/^\+/, '') }], messages: [{ id: wamid }] }, delayMs: outcome?.delayMs };
  }

  function handle(request: RecordedRequest): FakeReply {
    if (request.headers.authorization !== `Bearer ${options.accessToken}`) return graphError(401, 190, 'Error validating access token.');
    const { method, path } = request;
    let match: RegExpExecArray | null;
    if (method === 'POST' && (match = new RegExp(`^/${VERSION}/(\\d+)/messages$`).exec(path))) {
      if (match[1] !== options.phoneNumberId) return graphError(400, 100, `Unsupported post request. Object with ID '${match[1]}' does not exist.`);
      return send(request);
    }
    if (method === 'GET' && (match = /^\/media-download\/([^/]+)$/.exec(path))) {
      const stored = media.get(decodeURIComponent(match[1]));
      return stored ? { status: 200, body: stored.content, headers: { 'content-type': stored.mimeType } } : { status: 404, body: '' };
    }
    if (method === 'GET' && (match = new RegExp(`^/${VERSION}/([^/]+)$`).exec(path))) {
      const id = decodeURIComponent(match[1]);
      // The business phone number itself (WhatsApp Business Management API, "Get phone number"): a channel's "check".
      if (id === options.phoneNumberId) {
        return {
          status: 200,
          json: { verified_name: options.verifiedName ?? 'Tsunagi Test Shop', display_phone_number: options.displayPhoneNumber ?? '+1 555-010-0001', quality_rating: 'GREEN', code_verification_status: 'VERIFIED', platform_type: 'CLOUD_API', id },
        };
      }
      const stored = media.get(id);
      if (!stored) return graphError(400, 100, `Unsupported get request. Object with ID '${id}' does not exist.`);
      return {
        status: 200,
        json: { messaging_product: 'whatsapp', url: stored.downloadUrl ?? `${origin}/media-download/${encodeURIComponent(id)}`, mime_type: stored.mimeType, file_size: stored.content.length, id },
      };
    }
    return graphError(400, 100, 'Unknown path components');
  }

  const fake = await startHttpFake(handle);
  origin = fake.url;
  return {
    ...fake,
    apiBaseUrl: `${fake.url}/${VERSION}`,
    sent,
    setMedia: (mediaId, content, mimeType, downloadUrl) => {
      media.set(mediaId, { content, mimeType, downloadUrl });
    },
    failNext: (...outcomes) => {
      scripted.push(...outcomes);
    },
  };
}

/** The Graph API's error body, with the message in its `(#code) title` form. */
function graphError(status: number, code: number, details?: string): FakeReply {
  const title = TITLES[code] ?? 'Error';
  return {
    status,
    json: {
      error: {
        message: `(#${code}) ${title}`,
        type: 'OAuthException',
        code,
        error_data: { messaging_product: 'whatsapp', details: details ?? DETAILS[code] ?? title },
        fbtrace_id: randomBytes(12).toString('base64url'),
      },
    },
  };
}

/** The `X-Hub-Signature-256` Meta sends with a webhook body: `sha256=` and the hex HMAC-SHA256 of the raw bytes. */
export function signWhatsAppBody(appSecret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

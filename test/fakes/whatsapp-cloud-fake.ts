import busboy from 'busboy';
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

/** A file the hub uploaded to the number's media (`POST /{phone-number-id}/media`), as the multipart form carried it. */
export interface WhatsAppCloudUpload {
  id: string;
  /** The form's `type` field. */
  type: string;
  /** The file part's own name and type. */
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface WhatsAppCloudFake extends HttpFake {
  uploads: WhatsAppCloudUpload[];
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
 * (text, template and media messages naming an uploaded id, validated as the API does), `POST .../media` (the
 * multipart upload), `GET /{version}/{media-id}` and the media download it points
 * to, answering in the Graph API's wire format (`{messaging_product, contacts, messages}` or `{error: {...}}`).
 */
export async function startWhatsAppCloudFake(options: WhatsAppCloudFakeOptions): Promise<WhatsAppCloudFake> {
  const sent: WhatsAppCloudSent[] = [];
  const scripted: WhatsAppCloudOutcome[] = [];
  const media = new Map<string, { content: Buffer; mimeType: string; downloadUrl?: string }>();
  const uploads: WhatsAppCloudUpload[] = [];
  let origin = '';

  /** The media upload, read with busboy as the Graph API reads a multipart form; answers `{ id }`. */
  async function upload(request: RecordedRequest): Promise<FakeReply> {
    const form = await readMultipart(request);
    if (!form) return graphError(400, 100, 'The request must be multipart/form-data.');
    if (form.fields.messaging_product !== 'whatsapp') return graphError(400, 100, 'The parameter messaging_product is required.');
    if (!form.file) return graphError(400, 100, 'The parameter file is required.');
    if (!form.fields.type) return graphError(400, 100, 'The parameter type is required.');
    const id = String(1_000_000_000_000_000n + BigInt(uploads.length));
    uploads.push({ id, type: form.fields.type, filename: form.file.filename, contentType: form.file.contentType, data: form.file.data });
    media.set(id, { content: form.file.data, mimeType: form.fields.type });
    return { status: 200, json: { id } };
  }

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
    } else if (body.type === 'image' || body.type === 'video' || body.type === 'audio' || body.type === 'document') {
      const object = (body[body.type] ?? {}) as { id?: unknown; link?: unknown; caption?: unknown };
      if (typeof object.id === 'string' ? !media.has(object.id) : typeof object.link !== 'string') return graphError(400, 100, `The parameter ${body.type}.id names no uploaded media.`);
      if (body.type === 'audio' && object.caption !== undefined) return graphError(400, 100, 'An audio message takes no caption.');
      if (typeof object.caption === 'string' && object.caption.length > 1024) return graphError(400, 100, 'A caption is at most 1024 characters.');
    } else if (body.type === 'interactive') {
      // The "call to action URL" message, as the API reference describes it: a body, a button of up to 20
      // characters with its URL, an optional header (an image by link or id, or text).
      const interactive = (body.interactive ?? {}) as { type?: unknown; header?: { type?: unknown; image?: { link?: unknown; id?: unknown } }; body?: { text?: unknown }; action?: { name?: unknown; parameters?: { display_text?: unknown; url?: unknown } } };
      if (interactive.type !== 'cta_url') return graphError(400, 100, `The fake takes interactive messages of type cta_url, not ${String(interactive.type)}.`);
      const text = interactive.body?.text;
      if (typeof text !== 'string' || text.length === 0 || text.length > 1024) return graphError(400, 100, 'The parameter interactive.body.text is required and at most 1024 characters.');
      const parameters = interactive.action?.parameters;
      if (interactive.action?.name !== 'cta_url' || typeof parameters?.display_text !== 'string' || parameters.display_text.length > 20 || typeof parameters.url !== 'string' || !/^https?:\/\//.test(parameters.url)) {
        return graphError(400, 100, 'The parameter interactive.action needs name cta_url, a display_text of up to 20 characters and a url.');
      }
      const header = interactive.header;
      if (header && !(header.type === 'image' && (typeof header.image?.link === 'string' || typeof header.image?.id === 'string'))) return graphError(400, 100, 'The parameter interactive.header is not valid.');
    } else {
      return graphError(400, 100, `The fake does not take messages of type ${String(body.type)}.`);
    }
    const wamid = `wamid.${randomBytes(24).toString('base64url')}`;
    sent.push({ wamid, body });
    return { status: 200, json: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to.replace(/^\+/, '') }], messages: [{ id: wamid }] }, delayMs: outcome?.delayMs };
  }

  function handle(request: RecordedRequest): FakeReply | Promise<FakeReply> {
    if (request.headers.authorization !== `Bearer ${options.accessToken}`) return graphError(401, 190, 'Error validating access token.');
    const { method, path } = request;
    let match: RegExpExecArray | null;
    if (method === 'POST' && (match = new RegExp(`^/${VERSION}/(\\d+)/messages$`).exec(path))) {
      if (match[1] !== options.phoneNumberId) return graphError(400, 100, `Unsupported post request. Object with ID '${match[1]}' does not exist.`);
      return send(request);
    }
    if (method === 'POST' && (match = new RegExp(`^/${VERSION}/(\\d+)/media$`).exec(path))) {
      if (match[1] !== options.phoneNumberId) return graphError(400, 100, `Unsupported post request. Object with ID '${match[1]}' does not exist.`);
      return upload(request);
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
    uploads,
    setMedia: (mediaId, content, mimeType, downloadUrl) => {
      media.set(mediaId, { content, mimeType, downloadUrl });
    },
    failNext: (...outcomes) => {
      scripted.push(...outcomes);
    },
  };
}

/** A multipart form's fields and its one file, or null for another kind of body. */
function readMultipart(request: RecordedRequest): Promise<{ fields: Record<string, string>; file: { filename: string; contentType: string; data: Buffer } | null } | null> {
  if (!String(request.headers['content-type'] ?? '').startsWith('multipart/form-data')) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let file: { filename: string; contentType: string; data: Buffer } | null = null;
    const parser = busboy({ headers: request.headers });
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => (file = { filename: info.filename ?? '', contentType: info.mimeType, data: Buffer.concat(chunks) }));
    });
    parser.on('close', () => resolve({ fields, file }));
    parser.on('error', reject);
    parser.end(request.rawBody);
  });
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

import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { errorCodes } from 'fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LARGEST_FILE_BYTES } from '../files/file-kinds.js';

const MB = 1024 * 1024;

/** Every body the API reads (JSON or otherwise) unless its route says more: 413 `payload_too_large` beyond. */
export const BODY_LIMIT = 1 * MB;

/**
 * What each provider's webhook may post, by `<route>/<hook>` of `/webhooks/<route>/<channelId>[/<hook>]`. A
 * provider not listed gets {@link BODY_LIMIT}. The numbers are the providers' own maxima, with room to spare.
 */
const WEBHOOK_BODY_LIMITS: Record<string, number> = {
  // Inbound Parse posts the whole mail with its attachments; SendGrid accepts mails of up to 30 MB.
  'sendgrid/inbound': 30 * MB,
  // The Event Webhook posts a batch every 30 seconds or once it reaches 768 KB.
  'sendgrid/events': 5 * MB,
  // Meta's webhook payloads are at most 3 MB (media come as ids, fetched later).
  'whatsapp/': 3 * MB,
  // LINE posts event lists without media content (fetched later); it names no maximum, a batch is a few KB.
  'line/': 2 * MB,
  // Twilio posts form fields: a message body is at most 1,600 characters, media come as URLs.
  'twilio/': 1 * MB,
  'twilio/status': 1 * MB,
};
const LARGEST_WEBHOOK_BODY = Math.max(...Object.values(WEBHOOK_BODY_LIMITS));

/**
 * A file upload (`POST .../uploads`): the hub's largest file and room for the multipart framing. The team's own
 * cap (10 MB unless set) is checked as the file is read, with a `file_too_large` that names it.
 */
export const UPLOAD_BODY_LIMIT = LARGEST_FILE_BYTES + 64 * 1024;

/** A catalog feed uploaded as a file (a 100,000-item Merchant Center XML feed is about 60 MB), and its framing. */
export const FEED_BODY_LIMIT = 200 * 1024 * 1024 + 64 * 1024;

export function webhookBodyLimit(route: string, hook: string): number {
  return WEBHOOK_BODY_LIMITS[`${route}/${hook}`] ?? BODY_LIMIT;
}

/**
 * What decides, before a byte of a webhook's body is read, whether the request may post it at all (an unknown channel
 * or a wrong token in the URL is refused there). Provided by the module that owns the webhooks under
 * {@link WEBHOOK_ADMISSION}; throwing refuses the request.
 */
export interface WebhookAdmission {
  admitBeforeBody(request: FastifyRequest): Promise<void>;
}

export const WEBHOOK_ADMISSION = Symbol('WebhookAdmission');

/**
 * Sets the limits on a Fastify instance before its routes are added: the webhook routes take up to the largest
 * provider's maximum at the route level, and each request is then held to its own provider's, by its path, before
 * any byte is buffered beyond it. Every other route keeps the server's {@link BODY_LIMIT}.
 */
export function applyBodyLimits(fastify: FastifyInstance, admitWebhook: (request: FastifyRequest) => Promise<void>): void {
  fastify.addHook('onRoute', (route) => {
    if (route.url.endsWith('/uploads') && route.method.includes('POST')) route.bodyLimit = UPLOAD_BODY_LIMIT;
    if (route.url.startsWith('/api/catalog/sources/') && route.url.endsWith('/feed') && route.method.includes('POST')) route.bodyLimit = FEED_BODY_LIMIT;
    if (!route.url.startsWith('/webhooks/') || !route.method.includes('POST')) return;
    route.bodyLimit = LARGEST_WEBHOOK_BODY;
    const own = route.preParsing ? [route.preParsing].flat() : [];
    // The channel (and a token its URL carries) is checked first: nobody makes the hub buffer 30 MB for a made-up id.
    const admit = async (request: FastifyRequest, _reply: unknown, payload: NodeJS.ReadableStream) => {
      await admitWebhook(request);
      return payload;
    };
    route.preParsing = [...own, admit, limitToProvider];
  });
}

async function limitToProvider(request: FastifyRequest, _reply: unknown, payload: NodeJS.ReadableStream & { receivedEncodedLength?: number }) {
  const { route = '', hook = '' } = request.params as { route?: string; hook?: string };
  const limit = webhookBodyLimit(route, hook);
  if (Number(request.headers['content-length']) > limit) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
  // Without a Content-Length (chunked), the bytes are counted as they come.
  let received = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      received += chunk.length;
      (counted as { receivedEncodedLength?: number }).receivedEncodedLength = received;
      if (received > limit) callback(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      else callback(null, chunk);
    },
  });
  payload.pipe(counted);
  return counted;
}

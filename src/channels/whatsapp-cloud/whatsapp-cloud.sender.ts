import { OutboundRefused, outboundRefusal } from '../../common/outbound/index.js';
import type { OutboundGuard } from '../../common/outbound/index.js';
import type { Attachment, OutboundMessage, OutboundProductCard, SendResult } from '../channel-adapter.js';
import { httpsImageOf, viewLabelFor } from '../product-cards.js';
import { checkPassed, checkRefused, checkUnanswered } from '../channel-check.js';
import type { ChannelCheck } from '../channel-check.js';
import { whatsappFailure } from './whatsapp-cloud.normalizer.js';
import { GRAPH_API, graphErrorBody, graphMediaAnswer, graphPhoneNumber, graphSendAnswer, graphUploadAnswer } from './whatsapp-cloud.schema.js';
import type { WhatsAppCloudAccount, WhatsAppCloudSettings } from './whatsapp-cloud.schema.js';

const REQUEST_TIMEOUT_MS = 15_000;
/** What a channel's `apiBaseUrl` may name (the path carries the Graph API version). */
export const GRAPH_API_ORIGINS = ['https://graph.facebook.com'] as const;
// WhatsApp's limit for a text message's body.
export const MAX_TEXT_LENGTH = 4096;
// A media message's caption (image, video, document); a longer text goes as a message of its own before it.
export const MAX_CAPTION_LENGTH = 1024;
// An interactive message's button text (`display_text`).
const MAX_BUTTON_TEXT_LENGTH = 20;
// The Cloud API's media types and sizes ("Supported media types"): anything else is sent as a document.
const MEDIA_TYPES: Record<'image' | 'video' | 'audio', { types: readonly string[]; maxBytes: number }> = {
  image: { types: ['image/jpeg', 'image/png'], maxBytes: 5 * 1024 * 1024 },
  video: { types: ['video/mp4', 'video/3gpp'], maxBytes: 16 * 1024 * 1024 },
  audio: { types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * 1024 * 1024 },
};
/** A document's ceiling on the Cloud API. */
export const MAX_DOCUMENT_BYTES = 100 * 1024 * 1024;
// Meta's pair rate limit is about one message every 6 seconds to the same customer (131056).
const PAIR_RATE_WAIT_MS = 6_000;

/**
 * The only place that talks to the Graph API. Meta publishes no Node SDK for the Cloud API, so this is plain
 * fetch in the shape of the API reference, pointed at the channel's `apiBaseUrl` (the version is part of it).
 */
export class WhatsAppCloudSender {
  constructor(
    private readonly guard: OutboundGuard,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {}

  async send(channel: WhatsAppCloudAccount, message: OutboundMessage): Promise<SendResult> {
    if (message.products?.length && !message.template) return this.sendCards(channel, message, message.products);
    const file = message.attachments.find((a) => a.data);
    if (file && !message.template) return this.sendFile(channel, message, file);
    if (!message.template && message.body.length === 0) {
      return { ok: false, retry: false, code: 'empty_message', reason: 'WhatsApp cannot send an empty message.' };
    }
    return this.post(channel, {
      ...(message.template
        ? {
            type: 'template',
            template: {
              name: message.template.name,
              language: { code: message.template.language },
              components: message.template.parameters.length > 0 ? [{ type: 'body', parameters: message.template.parameters.map((value) => ({ type: 'text', text: value })) }] : [],
            },
          }
        : { type: 'text', text: { body: message.body.slice(0, MAX_TEXT_LENGTH), preview_url: false } }),
    }, message);
  }

  /**
   * A file: uploaded to the number's media (`POST /{phone-number-id}/media`), then sent as a message naming the media
   * id, with the text as its caption. An image, video or audio the Cloud API does not take as such (a GIF, a
   * QuickTime video, an image over 5 MB) goes as a document, which any type may be. A text longer than a caption (or
   * beside an audio, which has none) goes first as a message of its own.
   */
  private async sendFile(channel: WhatsAppCloudAccount, message: OutboundMessage, file: Attachment): Promise<SendResult> {
    const data = file.data!;
    const contentType = file.contentType ?? 'application/octet-stream';
    const type = mediaTypeOf(file.kind, contentType, data.length);
    if (type === 'document' && data.length > MAX_DOCUMENT_BYTES) {
      return { ok: false, retry: false, code: 'attachment_too_large', reason: 'WhatsApp takes files of up to 100 MB.', details: { maxBytes: MAX_DOCUMENT_BYTES } };
    }
    const captioned = type !== 'audio' && message.body.length <= MAX_CAPTION_LENGTH;
    // A text sent by an earlier attempt (whose upload then failed) is not sent again.
    if (message.body && !captioned && (message.partsSent ?? 0) === 0) {
      const text = await this.post(channel, { type: 'text', text: { body: message.body.slice(0, MAX_TEXT_LENGTH), preview_url: false } }, message);
      if (!text.ok) return text;
      await message.partSent?.(1);
    }
    const uploaded = await this.upload(channel, data, contentType, file.name ?? 'file');
    if ('ok' in uploaded) return uploaded;
    const media = {
      id: uploaded.id,
      ...(captioned && message.body ? { caption: message.body } : {}),
      ...(type === 'document' ? { filename: file.name ?? 'file' } : {}),
    };
    return this.post(channel, { type, [type]: media }, message);
  }

  /**
   * Product cards: the agent's words first (when there are any), then an interactive "call to action" message per
   * product, with its photo as the header (https only), name, variant and price, and a button to the tracked link.
   * The Cloud API has no carousel for free-form messages; one message per product keeps each button its own.
   * Interactive messages are free-form: the send policy has already kept them inside the 24-hour window.
   */
  private async sendCards(channel: WhatsAppCloudAccount, message: OutboundMessage, cards: readonly OutboundProductCard[]): Promise<SendResult> {
    const label = viewLabelFor(cards).slice(0, MAX_BUTTON_TEXT_LENGTH);
    const parts: Record<string, unknown>[] = [
      ...(message.body ? [{ type: 'text', text: { body: message.body.slice(0, MAX_TEXT_LENGTH), preview_url: false } }] : []),
      ...cards.map((card) => {
        const image = httpsImageOf(card);
        const text = [card.variant ? `${card.name} (${card.variant})` : card.name, card.priceText].filter(Boolean).join('\n');
        return {
          type: 'interactive',
          interactive: {
            type: 'cta_url',
            ...(image ? { header: { type: 'image', image: { link: image } } } : {}),
            body: { text: text.slice(0, MAX_CAPTION_LENGTH) },
            action: { name: 'cta_url', parameters: { display_text: label, url: card.link } },
          },
        };
      }),
    ];
    // What an earlier attempt sent is skipped; the last part is always sent here (its success ends the message).
    const from = Math.min(message.partsSent ?? 0, parts.length - 1);
    for (let index = from; index < parts.length - 1; index++) {
      const sent = await this.post(channel, parts[index], message);
      if (!sent.ok) return sent;
      await message.partSent?.(index + 1);
    }
    // The last card's id: its statuses (delivered, read) are the message's.
    return this.post(channel, parts[parts.length - 1], message);
  }

  /** The bytes to the number's media store: the id a message names (Meta keeps it for 30 days). */
  private async upload(channel: WhatsAppCloudAccount, data: Buffer, contentType: string, name: string): Promise<{ id: string } | Extract<SendResult, { ok: false }>> {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', contentType);
    form.append('file', new Blob([data], { type: contentType }), name);
    const response = await this.postTo(channel, 'media', { body: form });
    if ('retry' in response) return response;
    const answer = await readJson(response);
    if (response.ok) {
      const media = graphUploadAnswer.safeParse(answer);
      if (media.success) return { id: media.data.id };
      return { ok: false, retry: true, code: 'provider_unavailable', reason: 'WhatsApp answered the upload without a media id; retrying.' };
    }
    return failure(response.status, answer, response.headers.get('retry-after'));
  }

  /** One message to the customer: the content given, addressed, with the hub's id to come back on its statuses. */
  private async post(channel: WhatsAppCloudAccount, content: Record<string, unknown>, message: OutboundMessage): Promise<SendResult> {
    const payload = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      // E.164 digits, without the +.
      to: message.to.address.replace(/^\+/, ''),
      ...content,
      // Comes back on every status webhook of this message.
      biz_opaque_callback_data: message.messageId,
    };
    const response = await this.postTo(channel, 'messages', { body: JSON.stringify(payload), contentType: 'application/json' });
    if ('retry' in response) return response;
    const answer = await readJson(response);
    if (response.ok) {
      const sent = graphSendAnswer.safeParse(answer);
      if (sent.success) return { ok: true, providerMessageId: sent.data.messages[0].id };
      return { ok: false, retry: true, code: 'provider_unavailable', reason: 'WhatsApp answered without a message id; retrying.' };
    }
    return failure(response.status, answer, response.headers.get('retry-after'));
  }

  /**
   * A POST to the number's `messages` or `media` edge, or the failure of one that got no answer at all (refused by
   * the guard, reset, timed out). The Graph API has no idempotency key: a send that timed out after Meta took it may
   * go out twice on retry, which is better than never.
   */
  private async postTo(channel: WhatsAppCloudAccount, edge: 'messages' | 'media', request: { body: string | FormData; contentType?: string }): Promise<Response | Extract<SendResult, { ok: false }>> {
    try {
      return await this.guard.fetch(`${base(channel.settings)}/${channel.settings.phoneNumberId}/${edge}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${channel.secrets.accessToken ?? ''}`, ...(request.contentType ? { 'content-type': request.contentType } : {}) },
        body: request.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      if (error instanceof OutboundRefused) return { ok: false, retry: false, code: error.code, reason: error.message };
      return { ok: false, retry: true, code: 'provider_unreachable', reason: 'WhatsApp could not be reached; the message will be sent when it answers.' };
    }
  }

  /**
   * The business phone number (`GET /{phone-number-id}`): a wrong token answers 401 (code 190), a number id the
   * token's business does not own 400 with code 100 ("Object with ID ... does not exist"), read as `not_found`.
   */
  async check(channel: WhatsAppCloudAccount): Promise<ChannelCheck> {
    const { settings } = channel;
    let response: Response;
    try {
      response = await this.guard.fetch(`${base(settings)}/${encodeURIComponent(settings.phoneNumberId)}?fields=display_phone_number,verified_name,quality_rating`, {
        headers: { authorization: `Bearer ${channel.secrets.accessToken ?? ''}` },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      return checkUnanswered('WhatsApp', error);
    }
    const answer = await readJson(response);
    if (response.ok) {
      const number = graphPhoneNumber.safeParse(answer);
      const name = number.success ? [number.data.verified_name, number.data.display_phone_number].filter(Boolean).join(' ') : '';
      return checkPassed(name || settings.phoneNumberId, `WhatsApp accepts the access token for the number ${name || settings.phoneNumberId}.`);
    }
    const error = graphErrorBody.safeParse(answer);
    const detail = error.success ? (error.data.error.error_data?.details ?? error.data.error.message ?? null) : null;
    const wording = { provider: 'WhatsApp', credentials: 'the access token', target: 'the phone number ID' };
    const code = error.success ? error.data.error.code : undefined;
    if (code === 190) return checkRefused(wording, response.status, detail, 'credentials_refused');
    if (code === 100 && response.status === 400) return checkRefused(wording, response.status, detail, 'not_found');
    return checkRefused(wording, response.status, detail);
  }

  /**
   * Media sent to us: the Graph API tells where it lies (a URL valid for minutes, on Meta's CDN), then that URL
   * gives the bytes, with the same token. The URL comes from an answer, not from us: it is downloaded through the
   * guard (public addresses only, capped in size and time). Throws `OutboundRefused` when refused or too large.
   */
  async fetchContent(channel: WhatsAppCloudAccount, mediaId: string): Promise<{ data: Buffer; contentType: string }> {
    const { settings } = channel;
    const headers = { authorization: `Bearer ${channel.secrets.accessToken ?? ''}` };
    const info = await this.guard.fetch(`${base(settings)}/${encodeURIComponent(mediaId)}?phone_number_id=${settings.phoneNumberId}`, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
    if (!info.ok) throw new Error(`WhatsApp media ${mediaId}: HTTP ${info.status}`);
    const media = graphMediaAnswer.parse(await info.json());
    const file = await this.guard.download(media.url, { headers }).catch((error: unknown) => {
      throw outboundRefusal(error) ?? new Error(`WhatsApp media ${mediaId} download: ${(error as Error).message}`);
    });
    return { data: file.data, contentType: media.mime_type ?? file.contentType ?? 'application/octet-stream' };
  }
}

/** How the Cloud API takes this file: as its own kind where the type and size allow, otherwise as a document. */
export function mediaTypeOf(kind: Attachment['kind'], contentType: string, size: number): 'image' | 'video' | 'audio' | 'document' {
  if (kind === 'image' || kind === 'video' || kind === 'audio') {
    const allowed = MEDIA_TYPES[kind];
    if (allowed.types.includes(contentType) && size <= allowed.maxBytes) return kind;
  }
  return 'document';
}

function base(settings: WhatsAppCloudSettings): string {
  return (settings.apiBaseUrl ?? GRAPH_API).replace(/\/+$/, '');
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * The Graph API's error codes decide, more than the HTTP status: 131047 (the window closed) can never succeed
 * as it is; 130429 (the number's throughput) and 131056 (too many to one customer) pass with time. The
 * provider's own words (`error_data.details`) go to the agent beside ours.
 */
function failure(status: number, answer: unknown, retryAfter: string | null): Extract<SendResult, { ok: false }> {
  const parsed = graphErrorBody.safeParse(answer);
  const error = parsed.success ? parsed.data.error : undefined;
  const code = error?.code;
  const hint = error?.error_data?.details ?? error?.message;
  const { reason, details } = whatsappFailure(code, hint, status);
  const after = Number(retryAfter) > 0 ? Number(retryAfter) * 1000 : undefined;
  if (code === 131047) return { ok: false, retry: false, code: 'reply_window_closed', reason, details };
  if (code === 131056) return { ok: false, retry: true, code: 'pair_rate_limited', reason, details, retryAfterMs: after ?? PAIR_RATE_WAIT_MS };
  if (code === 130429 || code === 80007 || status === 429) return { ok: false, retry: true, code: 'rate_limited', reason, details, ...(after ? { retryAfterMs: after } : {}) };
  if (status >= 500 || code === 1 || code === 2 || code === 131000) {
    return { ok: false, retry: true, code: 'provider_unavailable', reason: `WhatsApp is unavailable for a moment; retrying.${hint ? ` WhatsApp says: ${hint}` : ''}`, details };
  }
  if (code === 190 || status === 401) {
    return {
      ok: false,
      retry: false,
      code: 'provider_credentials_refused',
      reason: 'WhatsApp refused the access token (expired or revoked); an administrator should update the channel settings.',
      details,
    };
  }
  return { ok: false, retry: false, code: whatsappFailure(code, hint).code, reason, details };
}

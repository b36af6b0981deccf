import type { Client } from '@sendgrid/client';
import type { ClientRequest } from '@sendgrid/client/src/request.js';
import type { MailDataRequired, MailService } from '@sendgrid/mail';
import type { ErrorCode } from '../../common/errors/error-codes.js';
import { onDemand } from '../../common/on-demand.js';
import { outboundRefusal } from '../../common/outbound/index.js';
import type { OutboundGuard } from '../../common/outbound/index.js';
import type { EarlierMessage, OutboundMessage, OutboundProductCard, SendResult } from '../channel-adapter.js';
import { escapeHtml } from '../../common/text/html.js';
import { httpsImageOf, productCardsAsText, viewLabelFor } from '../product-cards.js';
import { checkFailed, checkPassed, checkRefused, checkUnanswered } from '../channel-check.js';
import type { ChannelCheck } from '../channel-check.js';
import { conversationToken, ourMessageId, plusAddress } from './sendgrid.normalizer.js';
import type { MailIdentity } from './sendgrid.normalizer.js';
import type { SendgridAccount, SendgridSettings } from './sendgrid.schema.js';

const SENDGRID_API = 'https://api.sendgrid.com';
/** What a channel's `apiBaseUrl` may name: the global API, or the EU one (data residency). */
export const SENDGRID_API_ORIGINS = [SENDGRID_API, 'https://api.eu.sendgrid.com'] as const;
const REQUEST_TIMEOUT_MS = 15_000;
/** The API key permission that Mail Send needs. */
const SEND_SCOPE = 'mail.send';
// References grows with every reply; mail programs keep the first and the last few (RFC 5322 suggests so too).
const MAX_REFERENCES = 10;

/** Where a channel's mail comes from and goes back to. */
export function mailIdentityOf(settings: SendgridSettings): MailIdentity {
  return {
    messageIdDomain: settings.fromEmail.slice(settings.fromEmail.lastIndexOf('@') + 1).toLowerCase(),
    replyAddress: (settings.inboundAddress ?? settings.fromEmail).toLowerCase(),
  };
}

/** The subject of a reply: "Re: " and the subject of the thread, once. */
function replySubject(earlier: EarlierMessage[], fallback: string): string {
  const subject = [...earlier].reverse().find((m) => m.content?.subject)?.content?.subject?.trim();
  if (!subject) return fallback;
  return /^(re|aw|返信)\s*[:：]/i.test(subject) ? subject : `Re: ${subject}`;
}

/** The Message-IDs a reply cites: every earlier mail's, ours as we wrote them, the customer's as they came. */
function citedIds(earlier: EarlierMessage[], identity: MailIdentity): string[] {
  const ids = earlier.flatMap((m) => {
    if (m.direction === 'out') return [ourMessageId(m.messageId, identity)];
    const id = m.content?.messageId ?? (m.providerMessageId && !m.providerMessageId.startsWith('sha256:') ? m.providerMessageId : null);
    return id ? [`<${id}>`] : [];
  });
  return ids.length > MAX_REFERENCES ? [ids[0], ...ids.slice(-(MAX_REFERENCES - 1))] : ids;
}

/** SendGrid's client and Mail Send service, loaded with the first mail a SendGrid channel sends. */
const sendgridSdk = onDemand(async () => {
  const [client, mail] = await Promise.all([import('@sendgrid/client'), import('@sendgrid/mail')]);
  // Each package's export is a ready instance; its typings name the class for static imports only. A channel needs
  // instances of its own (one API key each), made by the same constructor.
  return {
    Client: client.default.constructor as new () => Client,
    MailService: mail.default.constructor as new () => MailService,
  };
});

/**
 * A mail with product cards: the agent's words, then a card per product (photo, name, variant, price and a button to
 * the tracked link), in tables and inline styles, the one layout every mail program draws alike. Every value is
 * escaped: names and URLs come from the shop's feed.
 */
export function productCardsMail(body: string, cards: readonly OutboundProductCard[]): string {
  const label = escapeHtml(viewLabelFor(cards));
  const text = body.trim() ? `<p style="margin:0 0 16px;white-space:pre-wrap">${escapeHtml(body.trim())}</p>` : '';
  const rows = cards.map((card) => {
    const link = escapeHtml(card.link);
    const image = httpsImageOf(card);
    const photo = image ? `<td width="120" style="padding:12px"><a href="${link}"><img src="${escapeHtml(image)}" width="120" alt="${escapeHtml(card.name)}" style="display:block;border:0;border-radius:4px"></a></td>` : '';
    const lines = [
      `<div style="font-weight:bold;font-size:15px">${escapeHtml(card.name)}</div>`,
      card.variant ? `<div style="color:#666;font-size:13px">${escapeHtml(card.variant)}</div>` : '',
      card.priceText ? `<div style="font-size:15px;margin-top:4px">${escapeHtml(card.priceText)}</div>` : '',
      `<a href="${link}" style="display:inline-block;margin-top:8px;padding:6px 14px;background:#1a73e8;color:#fff;text-decoration:none;border-radius:4px">${label}</a>`,
    ].join('');
    return `<table role="presentation" cellpadding="0" cellspacing="0" style="border:1px solid #ddd;border-radius:6px;margin:0 0 12px;width:100%;max-width:480px"><tr>${photo}<td style="padding:12px;vertical-align:top">${lines}</td></tr></table>`;
  });
  return `<div style="font-family:sans-serif;font-size:14px;color:#222">${text}${rows.join('')}</div>`;
}

/** The only place that talks to SendGrid's Mail Send API, through the official `@sendgrid/mail`. */
export class SendgridMailSender {
  private readonly services = new Map<string, MailService>();
  private readonly clients = new Map<string, Client>();

  constructor(
    private readonly guard: OutboundGuard,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {}

  async send(channel: SendgridAccount, message: OutboundMessage, defaultSubject: string): Promise<SendResult> {
    const { settings } = channel;
    const identity = mailIdentityOf(settings);
    const token = conversationToken(message.conversationId);
    const earlier = message.earlier ?? [];
    const cited = citedIds(earlier, identity);
    const mail: MailDataRequired = {
      to: { email: message.to.address },
      from: { email: settings.fromEmail, ...(settings.fromName ? { name: settings.fromName } : {}) },
      // Replies come back to the plus address: the token finds the conversation even when the mail program drops
      // In-Reply-To, and even from another address of the customer.
      replyTo: { email: plusAddress(identity.replyAddress, token) },
      subject: message.subject ?? replySubject(earlier, defaultSubject),
      // SendGrid refuses an empty text: a mail of files alone names them.
      text: (message.products?.length ? productCardsAsText(message.body, message.products) : message.body) || message.attachments.map((a) => a.name ?? 'file').join('\n'),
      // Product cards make the mail HTML too; the text part above says the same for mail programs that show text.
      ...(message.products?.length ? { html: productCardsMail(message.body, message.products) } : {}),
      // Each file rides in the mail itself (base64), so the customer keeps it without following a link.
      ...(message.attachments.some((a) => a.data)
        ? {
            attachments: message.attachments.flatMap((a) =>
              a.data ? [{ content: a.data.toString('base64'), filename: a.name ?? 'file', type: a.contentType ?? 'application/octet-stream', disposition: 'attachment' }] : [],
            ),
          }
        : {}),
      headers: {
        'Message-ID': ourMessageId(message.messageId, identity),
        ...(cited.length > 0 ? { 'In-Reply-To': cited[cited.length - 1], References: cited.join(' ') } : {}),
      },
      // Flattened into every Event Webhook event of this mail: which conversation and message it was, even for an
      // event that comes without `sg_message_id`.
      customArgs: { conversation_token: token, hub_message_id: message.messageId },
    };
    try {
      const [response] = await (await this.service(channel)).send(mail);
      const header = response.headers['x-message-id'] as string | string[] | undefined;
      const providerMessageId = Array.isArray(header) ? header[0] : header;
      // SendGrid always names the accepted mail; should it not, events cannot be matched, but the mail is sent.
      return { ok: true, providerMessageId: providerMessageId ?? `sendgrid:${message.messageId}` };
    } catch (error) {
      return failure(error);
    }
  }

  /**
   * The key's own permissions (`GET /v3/scopes`): a read any valid key may make. A key that works but lacks
   * `mail.send` is the usual mistake (a "Restricted Access" key made without it), so the check names that scope.
   */
  async check(channel: SendgridAccount): Promise<ChannelCheck> {
    const wording = { provider: 'SendGrid', credentials: 'the API key', target: 'this API key' };
    try {
      const [, body] = await (await this.client(channel)).request({ method: 'GET', url: '/v3/scopes' });
      const scopes = (body as { scopes?: unknown } | null)?.scopes;
      const granted = Array.isArray(scopes) ? scopes.filter((scope): scope is string => typeof scope === 'string') : [];
      if (!granted.includes(SEND_SCOPE)) {
        return checkFailed('permission_missing', `SendGrid accepts the API key, but it lacks the ${SEND_SCOPE} permission; give the key Mail Send access.`);
      }
      return checkPassed(channel.settings.fromEmail, `SendGrid accepts the API key, with Mail Send access, for ${channel.settings.fromEmail}.`);
    } catch (error) {
      const { code, response } = error as SendgridResponseError;
      if (typeof code !== 'number' || !response) return checkUnanswered('SendGrid', error);
      return checkRefused(wording, code, errorDetail(response) || null);
    }
  }

  private async service(channel: SendgridAccount): Promise<MailService> {
    const { MailService } = await sendgridSdk();
    const key = this.keyOf(channel);
    let service = this.services.get(key);
    if (!service) {
      service = new MailService();
      service.setClient(await this.client(channel));
      service.setTimeout(this.timeoutMs);
      this.services.set(key, service);
    }
    return service;
  }

  /** A client of its own per channel: the package's default client is one global, shared by every account. */
  private async client(channel: SendgridAccount): Promise<Client> {
    const { Client } = await sendgridSdk();
    const key = this.keyOf(channel);
    let client = this.clients.get(key);
    if (!client) {
      client = new Client();
      client.setApiKey(channel.secrets.apiKey ?? '');
      client.setDefaultRequest('baseUrl', (channel.settings.apiBaseUrl ?? SENDGRID_API).replace(/\/+$/, ''));
      // Every request through the outbound guard's agents (the client hands its request options to axios).
      client.setDefaultRequest('httpsAgent', this.guard.httpsAgent);
      // axios takes `httpAgent` for http:// bases (an operator-allowed system, the test fakes) and `timeout` for the
      // client's own requests (the mail service times its sends itself); the typings omit both.
      client.setDefaultRequest({ httpAgent: this.guard.httpAgent, timeout: this.timeoutMs } as Partial<ClientRequest> as ClientRequest);
      this.clients.set(key, client);
    }
    return client;
  }

  private keyOf(channel: SendgridAccount): string {
    return `${channel.id}:${channel.secrets.apiKey ?? ''}:${channel.settings.apiBaseUrl ?? ''}`;
  }
}

interface SendgridResponseError {
  code?: number | string;
  response?: { body?: { errors?: { message?: string; field?: string | null }[] } };
}

/**
 * No answer, 429 and 5xx are worth retrying (the outbox backs off and never gives up); any other 4xx fails the
 * same way again, so the agent is told why in words.
 */
function failure(error: unknown): SendResult {
  const refused = outboundRefusal(error);
  if (refused) return { ok: false, retry: false, code: refused.code, reason: refused.message };
  const { code, response } = error as SendgridResponseError;
  if (typeof code !== 'number' || !response) {
    return { ok: false, retry: true, code: 'provider_unreachable', reason: 'SendGrid could not be reached; the mail will be sent when it answers.' };
  }
  if (code === 429) return { ok: false, retry: true, code: 'rate_limited', reason: 'SendGrid is limiting how fast we send; the mail will go out shortly.' };
  if (code >= 500) return { ok: false, retry: true, code: 'provider_unavailable', reason: 'SendGrid is unavailable for a moment; retrying.' };
  const detail = errorDetail(response);
  const reasons: Record<number, [ErrorCode, string]> = {
    400: ['provider_refused', `SendGrid refused the mail${detail ? ` (${detail})` : ''}.`],
    401: ['provider_credentials_refused', 'SendGrid refused the API key; an administrator should check the channel settings.'],
    403: ['permission_missing', `SendGrid does not allow this API key to send this mail${detail ? ` (${detail})` : ' (Mail Send permission, or an unverified sender)'}.`],
    413: ['payload_too_large', 'The mail is larger than SendGrid accepts (30 MB).'],
  };
  const [errorCode, reason] = reasons[code] ?? ['provider_refused', `SendGrid refused the mail (HTTP ${code})${detail ? `: ${detail}` : ''}.`];
  return { ok: false, retry: false, code: errorCode, reason, details: { provider: 'sendgrid', status: code, ...(detail ? { providerMessage: detail } : {}) } };
}

/** SendGrid's `errors` list in one line: each field and its message. */
function errorDetail(response: NonNullable<SendgridResponseError['response']>): string {
  return (response.body?.errors ?? [])
    .map((e) => [e.field, e.message].filter(Boolean).join(': '))
    .filter(Boolean)
    .join('; ');
}

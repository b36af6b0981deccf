import type { AddressObject, ParsedMail } from 'mailparser';
import { createHash } from 'node:crypto';
import type { DeliveryFailure } from '../../common/errors/error-codes.js';
import { onDemand } from '../../common/on-demand.js';
import type { Attachment, ChannelAddress, InboundEvent, ThreadReference } from '../channel-adapter.js';
import { decodeField, fieldCharsets, parseAttachmentInfo } from './sendgrid.schema.js';
import { senderAligned } from './sendgrid.verifier.js';
import type { InboundParsePost, SendgridEvent } from './sendgrid.schema.js';

const MAIL_OPTIONS = { skipTextToHtml: true, skipTextLinks: true, keepCidLinks: true } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The MIME parser and the HTML sanitizer, loaded with the first mail a channel receives.
const mailParser = onDemand(async () => (await import('mailparser')).simpleParser);
const emailContent = onDemand(() => import('./email-content.normalizer.js'));

/** The addresses that make a mail ours: the domain of our Message-IDs and the address our Reply-To plus-addresses. */
export interface MailIdentity {
  /** `<message id>@<domain>` is how our Message-IDs read. */
  messageIdDomain: string;
  /** `local@domain`: replies come to `local+<token>@domain`. */
  replyAddress: string;
}

/** Our Message-ID for one of our messages: its id at our sending domain, so a reply names the message it answers. */
export function ourMessageId(messageId: string, identity: Pick<MailIdentity, 'messageIdDomain'>): string {
  return `<${messageId}@${identity.messageIdDomain}>`;
}

/** The token of a conversation, as it goes in a plus address and in `custom_args`: its id without dashes. */
export function conversationToken(conversationId: string): string {
  return conversationId.replaceAll('-', '').toLowerCase();
}

/** `support@example.com` + token -> `support+<token>@example.com`. */
export function plusAddress(address: string, token: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}+${token}${address.slice(at)}`;
}

function tokenToConversationId(token: string): string | undefined {
  if (!/^[0-9a-f]{32}$/i.test(token)) return undefined;
  const t = token.toLowerCase();
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}`;
}

/** Whatever the mail looked like on the wire, the few things the hub keeps. */
interface ReadMail {
  from: ChannelAddress | null;
  recipients: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string | null;
  references: string[];
  files: { filename: string; contentType: string; data: Buffer }[];
}

/**
 * An Inbound Parse post -> the message it carries. Both of SendGrid's modes: "send raw" puts the whole MIME message in
 * `email` (parsed here, charsets and all); the default mode has already split it into fields, each in the charset
 * `charsets` names, with the header block in `headers` and the files as `attachment1…N`.
 */
export async function normalizeInboundParse(post: InboundParsePost, identity: MailIdentity, receivedAt: Date): Promise<InboundEvent[]> {
  const mail = post.fields.has('email') ? await readRawMail(post) : await readParsedMail(post);
  const { htmlToPlainText, sanitizeEmailHtml, trimQuotedReply } = await emailContent();
  if (!mail.from) return [];
  const html = mail.html ? sanitizeEmailHtml(mail.html) : null;
  const fullText = mail.text.trim() || (mail.html ? htmlToPlainText(mail.html) : '');
  const attachments: Attachment[] = mail.files.map((file, index) => ({
    data: file.data,
    name: safeFileName(file.filename, index),
    contentType: file.contentType,
    size: file.data.length,
  }));
  // Message-ID alone is not a key: it can be missing, and anyone can reuse one. With the content's hash, a
  // redelivery (same bytes) is taken once, and a forged id on another mail is still another message.
  const hash = createHash('sha256');
  for (const part of [mail.subject, fullText, mail.html]) hash.update(part).update('\0');
  for (const file of mail.files) hash.update(file.data).update('\0');
  const digest = hash.digest('hex').slice(0, 40);
  return [
    {
      type: 'message',
      eventKey: `${mail.messageId ?? 'no-message-id'}:${digest}`,
      providerMessageId: mail.messageId ?? `sha256:${digest}`,
      from: mail.from,
      senderAuthenticated: senderAligned({
        from: mail.from.address,
        dkim: post.fields.get('dkim')?.toString('utf8'),
        spf: post.fields.get('SPF')?.toString('utf8'),
        envelopeFrom: envelopeOf(post).from,
      }),
      body: trimQuotedReply(fullText),
      attachments,
      occurredAt: receivedAt,
      content: {
        subject: mail.subject,
        text: fullText,
        ...(html ? { html: html.html, remoteImages: html.remoteImages } : {}),
        ...(mail.messageId ? { messageId: mail.messageId } : {}),
      },
      inReplyTo: threadReference(mail, identity),
    },
  ];
}

/** What the mail answers: our Message-IDs it cites, others it cites, and the token of the plus address it went to. */
function threadReference(mail: ReadMail, identity: MailIdentity): ThreadReference {
  const reference: ThreadReference = { messageIds: [], providerMessageIds: [] };
  for (const cited of mail.references) {
    const at = cited.lastIndexOf('@');
    const local = cited.slice(0, at);
    if (at > 0 && UUID.test(local) && cited.slice(at + 1).toLowerCase() === identity.messageIdDomain.toLowerCase()) {
      reference.messageIds.push(local.toLowerCase());
    } else {
      reference.providerMessageIds.push(cited);
    }
  }
  const [local, domain] = identity.replyAddress.toLowerCase().split('@');
  for (const recipient of mail.recipients) {
    const match = /^([^@+]+)\+([^@]+)@(.+)$/.exec(recipient.toLowerCase());
    if (match && match[1] === local && match[3] === domain) {
      const conversationId = tokenToConversationId(match[2]);
      if (conversationId) {
        reference.conversationId = conversationId;
        break;
      }
    }
  }
  return reference;
}

async function readRawMail(post: InboundParsePost): Promise<ReadMail> {
  const simpleParser = await mailParser();
  const parsed = await simpleParser(post.fields.get('email')!, MAIL_OPTIONS);
  const envelope = envelopeOf(post);
  return {
    from: senderOf(parsed.from) ?? (envelope.from ? { kind: 'email', address: envelope.from } : null),
    recipients: [...addressesOf(parsed.to), ...addressesOf(parsed.cc), ...envelope.to],
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    messageId: bare(parsed.messageId),
    references: citedIds(parsed),
    files: parsed.attachments.map((a, index) => ({ filename: a.filename ?? `attachment-${index + 1}`, contentType: a.contentType, data: a.content })),
  };
}

async function readParsedMail(post: InboundParsePost): Promise<ReadMail> {
  const simpleParser = await mailParser();
  const charsets = fieldCharsets(post);
  const field = (name: string) => decodeField(post, charsets, name);
  // The header block is where Message-ID, In-Reply-To and References live in this mode.
  const headers = await simpleParser(`${field('headers') ?? ''}\r\n\r\n`, MAIL_OPTIONS);
  const fromField = field('from');
  const fromParsed = fromField ? senderOf((await simpleParser(`From: ${fromField}\r\n\r\n`, MAIL_OPTIONS)).from) : null;
  const envelope = envelopeOf(post);
  const info = parseAttachmentInfo(field('attachment-info'));
  return {
    from: fromParsed ?? senderOf(headers.from) ?? (envelope.from ? { kind: 'email', address: envelope.from } : null),
    recipients: [...addressesOf(headers.to), ...addressesOf(headers.cc), ...splitAddresses(field('to')), ...splitAddresses(field('cc')), ...envelope.to],
    subject: field('subject') ?? headers.subject ?? '',
    text: field('text') ?? '',
    html: field('html') ?? '',
    messageId: bare(headers.messageId),
    references: citedIds(headers),
    files: post.files
      .filter((file) => /^attachment\d+$/.test(file.field))
      .map((file) => ({
        filename: info[file.field]?.filename ?? info[file.field]?.name ?? file.filename,
        contentType: info[file.field]?.type ?? file.contentType,
        data: file.data,
      })),
  };
}

function senderOf(from: AddressObject | undefined): ChannelAddress | null {
  const first = from?.value[0];
  if (!first?.address) return null;
  return { kind: 'email', address: first.address, ...(first.name ? { name: first.name } : {}) };
}

function addressesOf(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = Array.isArray(field) ? field : field ? [field] : [];
  return objects.flatMap((o) => o.value.flatMap((a) => (a.address ? [a.address] : [])));
}

function splitAddresses(field: string | undefined): string[] {
  return field ? [...field.matchAll(/[^\s<>,;"]+@[^\s<>,;"]+/g)].map((m) => m[0]) : [];
}

function envelopeOf(post: InboundParsePost): { from: string | null; to: string[] } {
  try {
    const value = JSON.parse(post.fields.get('envelope')?.toString('utf8') ?? '{}') as { from?: unknown; to?: unknown };
    return {
      from: typeof value.from === 'string' && value.from.includes('@') ? value.from : null,
      to: Array.isArray(value.to) ? value.to.filter((v): v is string => typeof v === 'string') : [],
    };
  } catch {
    return { from: null, to: [] };
  }
}

/** In-Reply-To first, then References newest first: the nearest message a reply answers comes first. */
function citedIds(mail: ParsedMail): string[] {
  const references = Array.isArray(mail.references) ? mail.references : mail.references ? mail.references.split(/\s+/) : [];
  const ids = [...(mail.inReplyTo ? mail.inReplyTo.split(/\s+/) : []), ...references.reverse()].map((id) => bare(id)).filter((id): id is string => !!id);
  return [...new Set(ids)];
}

/** `<abc@host>` -> `abc@host`, the form we store and compare. */
function bare(messageId: string | undefined): string | null {
  const id = messageId?.trim().replace(/^<|>$/g, '').trim();
  return id ? id : null;
}

/**
 * A name a customer chose, made safe to show and to offer as a download name: no folders, no control or reserved
 * characters, no leading dots, at most 150 characters with the extension kept. It never becomes a storage key.
 */
export function safeFileName(name: string, index: number): string {
  const base = name.normalize('NFC').split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^[.\s]+/, '').trim();
  if (!cleaned) return `attachment-${index + 1}`;
  if (cleaned.length <= 150) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, 150 - extension.length) + extension;
}

// ---- Event Webhook ----

const STATUS: Record<string, 'sent' | 'delivered' | 'read' | 'failed' | undefined> = {
  processed: 'sent',
  delivered: 'delivered',
  // Only a customer who got the mail can mark it as spam; unsubscribing, opening and clicking mean it was read.
  spamreport: 'delivered',
  open: 'read',
  click: 'read',
  unsubscribe: 'read',
  group_unsubscribe: 'read',
  bounce: 'failed',
  dropped: 'failed',
};

const CONSENT: Record<string, 'opt_out' | 'opt_in' | 'bounced' | undefined> = {
  bounce: 'bounced',
  spamreport: 'opt_out',
  unsubscribe: 'opt_out',
  group_unsubscribe: 'opt_out',
  group_resubscribe: 'opt_in',
};

/** SendGrid's reasons for a drop, as the agent should read them. */
const DROP_REASONS: Record<string, string> = {
  'Bounced Address': 'SendGrid did not send it: this address bounced before and is on the bounce list.',
  'Unsubscribed Address': 'SendGrid did not send it: the customer unsubscribed from this sender’s mail.',
  'Spam Reporting Address': 'SendGrid did not send it: the customer reported earlier mail as spam.',
  'Invalid SMTPAPI header': 'SendGrid refused the mail’s headers.',
};

/**
 * An Event Webhook batch -> status moves (SendGrid's `sg_message_id` starts with the `X-Message-Id` Mail Send
 * returned, which is the id we keep) and consent entries (bounce, spam report, unsubscribe). `deferred` is left
 * out: SendGrid is still trying. Each consent entry is keyed by `sg_event_id`, so a repeated event, which SendGrid
 * documents, is taken once; status moves are forward-only in the hub and need no key.
 */
export function normalizeSendgridEvents(events: SendgridEvent[], receivedAt: Date): InboundEvent[] {
  const normalized: InboundEvent[] = [];
  for (const event of events) {
    const occurredAt = event.timestamp ? new Date(event.timestamp * 1000) : receivedAt;
    const providerMessageId = event.sg_message_id?.split('.')[0];
    const status = STATUS[event.event];
    if (status && providerMessageId) {
      normalized.push({
        type: 'status',
        providerMessageId,
        status,
        ...(status === 'failed' ? { errorCode: event.event, failure: failureOf(event) } : {}),
        occurredAt,
      });
    }
    const consent = CONSENT[event.event];
    if (consent && event.email && event.sg_event_id) {
      normalized.push({
        type: 'contact',
        eventKey: `sendgrid:${event.sg_event_id}`,
        from: { kind: 'email', address: event.email },
        kind: consent,
        detail: {
          event: event.event,
          ...(event.type ? { type: event.type } : {}),
          ...(event.reason ? { reason: event.reason } : {}),
          ...(event.asm_group_id !== undefined ? { asmGroupId: event.asm_group_id } : {}),
          ...(providerMessageId ? { providerMessageId } : {}),
        },
        occurredAt,
      });
    }
  }
  return normalized;
}

function failureOf(event: SendgridEvent): DeliveryFailure {
  const details = { provider: 'sendgrid', providerCode: event.event, ...(event.reason ? { providerMessage: event.reason } : {}) };
  if (event.event === 'dropped') {
    return { code: 'email_dropped', reason: DROP_REASONS[event.reason ?? ''] ?? `SendGrid did not send it${event.reason ? `: ${event.reason}` : ''}.`, details };
  }
  // `type: blocked` is the receiving server refusing for now (a block list, a full mailbox); `bounce` is for good.
  const what = event.type === 'blocked' ? 'The receiving mail server blocked the mail' : 'The mail bounced';
  return { code: 'email_bounced', reason: `${what}${event.reason ? `: ${event.reason}` : '.'}`, details };
}

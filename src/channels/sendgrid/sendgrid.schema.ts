import busboy from 'busboy';
import Encoding from 'encoding-japanese';
import iconv from 'iconv-lite';
import { z } from 'zod';
import { DomainError } from '../../common/errors/domain-error.js';
import type { ChannelAccount } from '../channel-adapter.js';
import { apiBaseUrl } from '../channels.schema.js';

/** The credentials of an email channel: sealed at rest, never returned. */
const secretFields = {
  apiKey: z.string().min(20, 'must be a SendGrid API key (SG.…) with Mail Send permission').max(200),
  /**
   * The secret the Inbound Parse URL carries (`?token=`): SendGrid signs no Parse post, so the URL is the only
   * thing that tells SendGrid from anyone else who learns the channel id.
   */
  inboundToken: z.string().min(16, 'must be at least 16 characters: it is the only proof a Parse post is SendGrid’s').max(200),
};

/** The rest of its config: stored as given and shown to administrators. */
const settingFields = {
  /** The verified sender address; replies come back to it (or to `inboundAddress`) through Inbound Parse. */
  fromEmail: z.email('must be an email address'),
  fromName: z.string().trim().min(1).max(100).optional(),
  /** The Event Webhook's verification key (base64 SPKI, from SendGrid's "Signed Event Webhook" settings). */
  eventPublicKey: z
    .string()
    .regex(/^[A-Za-z0-9+/=\s]{60,400}$/, 'must be the base64 public key SendGrid shows for the signed Event Webhook')
    .optional(),
  /**
   * The address replies are plus-addressed on (`support+<token>@reply.example.com`), on a domain whose mail
   * Inbound Parse receives; `fromEmail` when absent.
   */
  inboundAddress: z.email('must be an email address').optional(),
  /** SendGrid's Mail Send takes thousands of requests a second; a lower rate spares a young sending domain. */
  sendsPerSecond: z.number().positive().max(10_000).optional(),
  apiBaseUrl,
};

/** `POST /api/channels` config of an email channel through Twilio SendGrid. */
export const sendgridConfigSchema = z.strictObject({ ...secretFields, ...settingFields });

export const sendgridSettingsSchema = z.object(settingFields);
export const sendgridSecretsSchema = z.object(secretFields).partial();
export type SendgridSettings = z.output<typeof sendgridSettingsSchema>;
export type SendgridSecrets = z.output<typeof sendgridSecretsSchema>;
export const SENDGRID_SECRET_KEYS = sendgridSecretsSchema.keyof().options;
/** An email channel as its adapter and sender see it. */
export type SendgridAccount = ChannelAccount<SendgridSettings, SendgridSecrets>;

// SendGrid keeps a whole mail with its attachments under 30 MB; the `email` field of "send raw" holds all of it.
const MAX_PARSE_BYTES = 30 * 1024 * 1024;

/** A file part of an Inbound Parse post (default mode: `attachment1…N`). */
export interface ParseFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/** An Inbound Parse post: each field's bytes, decoded later by the charset SendGrid names for it. */
export interface InboundParsePost {
  fields: Map<string, Buffer>;
  files: ParseFile[];
}

/**
 * Reads the multipart body of an Inbound Parse post. Field values are kept as bytes: SendGrid writes each one in the
 * charset its `charsets` field names (ISO-2022-JP, Shift_JIS ...), not in UTF-8, and names it there rather than on
 * the part. busboy hands values over as latin1 text, which maps byte for byte back to the original.
 */
export function readInboundParse(rawBody: Buffer, contentType: string | undefined): Promise<InboundParsePost> {
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) {
    return Promise.reject(new DomainError('invalid', 'invalid_payload', 'An Inbound Parse post must be multipart/form-data.'));
  }
  return new Promise((resolve, reject) => {
    const fields = new Map<string, Buffer>();
    const files: ParseFile[] = [];
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        defCharset: 'latin1',
        defParamCharset: 'utf8',
        limits: { fieldSize: MAX_PARSE_BYTES, fileSize: MAX_PARSE_BYTES, fields: 200, files: 100 },
      });
    } catch {
      reject(new DomainError('invalid', 'invalid_payload', 'The Inbound Parse post has no multipart boundary.'));
      return;
    }
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) reject(tooLarge(name));
      fields.set(name, Buffer.from(value, 'latin1'));
    });
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => reject(tooLarge(field)));
      stream.on('end', () => files.push({ field, filename: info.filename ?? field, contentType: info.mimeType, data: Buffer.concat(chunks) }));
    });
    parser.on('error', (error: Error) => reject(new DomainError('invalid', 'invalid_payload', `The Inbound Parse post cannot be read: ${error.message}.`)));
    parser.on('close', () => resolve({ fields, files }));
    parser.end(rawBody);
  });
}

function tooLarge(field: string): DomainError {
  return new DomainError('invalid', 'payload_too_large', `The Inbound Parse field "${field}" is larger than SendGrid's 30 MB limit for a mail.`);
}

const charsetsField = z.record(z.string(), z.string());

/** The charset of each field as SendGrid names it (`{"text":"iso-2022-jp","subject":"UTF-8"}`); UTF-8 when unnamed. */
export function fieldCharsets(post: InboundParsePost): Record<string, string> {
  const raw = post.fields.get('charsets');
  if (!raw) return {};
  try {
    const parsed = charsetsField.safeParse(JSON.parse(raw.toString('utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * A field's text in its declared charset. iconv-lite reads nearly all of them, but not ISO-2022-JP (JIS), which
 * Japanese mail programs still send; that one goes through encoding-japanese. A charset neither knows is read as
 * UTF-8 rather than refused: the mail is still worth showing.
 */
export function decodeField(post: InboundParsePost, charsets: Record<string, string>, name: string): string | undefined {
  const bytes = post.fields.get(name);
  if (bytes === undefined) return undefined;
  const charset = (charsets[name] ?? 'utf-8').trim().toLowerCase();
  if (/^(iso-2022-jp|csiso2022jp|jis)$/.test(charset)) return Encoding.codeToString(Encoding.convert(bytes, { to: 'UNICODE', from: 'JIS', type: 'array' }));
  return iconv.encodingExists(charset) ? iconv.decode(bytes, charset) : bytes.toString('utf8');
}

const attachmentInfo = z.record(
  z.string(),
  z.looseObject({ filename: z.string().optional(), name: z.string().optional(), type: z.string().optional(), 'content-id': z.string().optional() }),
);
export type AttachmentInfo = z.output<typeof attachmentInfo>;

/** `attachment-info`: the names and types SendGrid gives each `attachmentN` part. */
export function parseAttachmentInfo(text: string | undefined): AttachmentInfo {
  if (!text) return {};
  try {
    const parsed = attachmentInfo.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * One Event Webhook event, read leniently: SendGrid adds event types and fields (and flattens our `custom_args`
 * into each event), and an event we do not know must not make the whole batch fail and be retried for a day.
 */
export const sendgridEvent = z.looseObject({
  event: z.string(),
  email: z.string().optional(),
  timestamp: z.number().optional(),
  sg_event_id: z.string().optional(),
  sg_message_id: z.string().optional(),
  reason: z.string().optional(),
  response: z.string().optional(),
  status: z.string().optional(),
  type: z.string().optional(),
  asm_group_id: z.number().optional(),
});
export type SendgridEvent = z.output<typeof sendgridEvent>;

/** The raw bytes of a (verified) Event Webhook post -> its events. */
export function parseSendgridEvents(rawBody: Buffer): SendgridEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new DomainError('invalid', 'invalid_payload', 'The SendGrid Event Webhook body is not valid JSON.');
  }
  const result = z.array(sendgridEvent).safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new DomainError('invalid', 'invalid_payload', `The SendGrid Event Webhook body must be an array of events (${issue.path.join('.') || 'body'}: ${issue.message}).`);
  }
  return result.data;
}

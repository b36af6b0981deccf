import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { startHttpFake } from './http-fake.js';
import type { FakeReply, HttpFake, RecordedRequest } from './http-fake.js';

export interface SendgridFakeOptions {
  apiKey: string;
  /** The API key's permissions as `GET /v3/scopes` lists them; a key with Mail Send access by default. */
  scopes?: string[];
}

/** What the next Mail Send gets instead of 202: a status with SendGrid's error body, or an answer held back. */
export type SendgridOutcome = { status: number; message?: string; field?: string; delayMs?: number } | { delayMs: number };

/** A v3 Mail Send body as the API reads it (snake_case on the wire); only what the tests look at is typed. */
export interface MailSendBody {
  personalizations: { to: { email: string; name?: string }[]; subject?: string; custom_args?: Record<string, string>; headers?: Record<string, string> }[];
  from: { email: string; name?: string };
  reply_to?: { email: string; name?: string };
  subject?: string;
  content?: { type: string; value: string }[];
  headers?: Record<string, string>;
  custom_args?: Record<string, string>;
  /** Files, base64 in `content`. */
  attachments?: { content: string; filename: string; type?: string; disposition?: string; content_id?: string }[];
}

/** An accepted mail, with the id SendGrid answered in `X-Message-Id`. */
export interface SentMail {
  xMessageId: string;
  body: MailSendBody;
  headers: RecordedRequest['headers'];
}

export interface SendgridFake extends HttpFake {
  sent: SentMail[];
  failNext(...outcomes: SendgridOutcome[]): void;
}

// Headers Mail Send will not let a sender set (tsg_mail_v3.json): a body that tries gets a 400.
const RESERVED_HEADERS = ['x-sg-id', 'x-sg-eid', 'received', 'dkim-signature', 'content-type', 'content-transfer-encoding', 'to', 'from', 'subject', 'reply-to', 'cc', 'bcc'];

/**
 * A local stand-in for api.sendgrid.com's v3 Mail Send, answering in SendGrid's wire format so that the official
 * `@sendgrid/mail` client can be pointed at it (`baseUrl`): 202 with an empty body and `X-Message-Id`, or
 * `{errors: [{message, field, help}]}`.
 */
export async function startSendgridFake(options: SendgridFakeOptions): Promise<SendgridFake> {
  const sent: SentMail[] = [];
  const scripted: SendgridOutcome[] = [];

  function handle(request: RecordedRequest): FakeReply {
    if (request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return errors(401, [{ message: 'The provided authorization grant is invalid, expired, or revoked', field: null }]);
    }
    // The key's own permissions (API Keys API, "Retrieve a list of scopes for which this user has access").
    if (request.method === 'GET' && request.path === '/v3/scopes') return { status: 200, json: { scopes: options.scopes ?? ['mail.send', 'user.profile.read'] } };
    if (request.method !== 'POST' || request.path !== '/v3/mail/send') return errors(404, [{ message: 'Not found', field: null }]);
    const outcome = scripted.shift();
    if (outcome && 'status' in outcome) return { ...errors(outcome.status, [{ message: outcome.message ?? 'error', field: outcome.field ?? null }]), delayMs: outcome.delayMs };
    const invalid = validate(request.json);
    if (invalid) return invalid;
    const xMessageId = randomBytes(16).toString('base64url').slice(0, 22);
    sent.push({ xMessageId, body: request.json as MailSendBody, headers: request.headers });
    return { status: 202, headers: { 'x-message-id': xMessageId }, delayMs: outcome?.delayMs };
  }

  const fake = await startHttpFake(handle);
  return { ...fake, sent, failNext: (...outcomes) => void scripted.push(...outcomes) };
}

/** The checks Mail Send makes that a sender can get wrong. */
function validate(json: unknown): FakeReply | undefined {
  const body = json as Partial<MailSendBody> | undefined;
  const problems: { message: string; field: string }[] = [];
  if (!Array.isArray(body?.personalizations) || body.personalizations.length === 0) {
    problems.push({ message: 'The personalizations field is required and must have at least one personalization.', field: 'personalizations' });
  } else if (body.personalizations.some((p) => !Array.isArray(p.to) || p.to.length === 0 || p.to.some((t) => !/^[^@\s]+@[^@\s]+$/.test(t.email)))) {
    problems.push({ message: 'Does not contain a valid address.', field: 'personalizations.0.to.0.email' });
  }
  if (!body?.from?.email) problems.push({ message: 'The from object must be provided for every email send.', field: 'from' });
  if (!body?.content?.length) problems.push({ message: 'Unless a valid template_id is provided, the content parameter is required.', field: 'content' });
  if (!body?.subject && !body?.personalizations?.every((p) => p.subject)) problems.push({ message: 'The subject is required.', field: 'subject' });
  for (const name of Object.keys(body?.headers ?? {})) {
    if (RESERVED_HEADERS.includes(name.toLowerCase())) problems.push({ message: `The header ${name} is reserved.`, field: 'headers' });
  }
  for (const [key, value] of Object.entries(body?.custom_args ?? {})) {
    if (typeof value !== 'string') problems.push({ message: 'Custom args must be strings.', field: `custom_args.${key}` });
  }
  return problems.length > 0 ? errors(400, problems) : undefined;
}

function errors(status: number, list: { message: string; field: string | null }[]): FakeReply {
  return { status, json: { errors: list.map((e) => ({ ...e, help: null })) } };
}

// ---- what SendGrid posts to the hub ----

/** One part of a multipart/form-data body: a field's bytes, or a file. */
export type FormPart = { name: string; value: string | Buffer } | { name: string; filename: string; contentType: string; data: Buffer };

/** A multipart/form-data body the way SendGrid's Inbound Parse writes one (boundary `xYzZY`, CRLF). */
export function inboundParseBody(parts: FormPart[], boundary = 'xYzZY'): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = 'filename' in part ? `form-data; name="${part.name}"; filename="${part.filename}"` : `form-data; name="${part.name}"`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${'filename' in part ? `Content-Type: ${part.contentType}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head, 'utf8'), 'filename' in part ? part.data : Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value, 'utf8'), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A P-256 key pair like the one SendGrid signs Event Webhook posts with; `publicKey` is the base64 SPKI it shows. */
export function eventSigningKey(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

/** The two headers SendGrid puts on a signed Event Webhook post: ECDSA over the timestamp followed by the body. */
export function signEvents(privateKey: KeyObject, body: string | Buffer, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = sign('sha256', Buffer.concat([Buffer.from(String(timestamp)), Buffer.isBuffer(body) ? body : Buffer.from(body)]), privateKey).toString('base64');
  return { 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': String(timestamp) };
}

import { randomBytes } from 'node:crypto';
import request from 'supertest';
import twilio from 'twilio';
import { startHttpFake } from './http-fake.js';
import type { FakeReply, HttpFake, Params, RecordedRequest } from './http-fake.js';

export interface TwilioFakeOptions {
  accountSid: string;
  authToken: string;
  /** The account's name in the console, as the account fetch answers it. */
  friendlyName?: string;
}

/**
 * What the next message creation gets instead of a success, in `failNext` order:
 * - `{ status, code?, message? }`: that HTTP status with a Twilio error body (500, 503, 429 with 20429, ...);
 * - `{ twilioError }`: a 400 with that Twilio error code (21610 unsubscribed, 63016 outside the WhatsApp
 *   window, 21211 invalid To, ...) and Twilio's wording for it;
 * - `{ delayMs }` alone: the message is created, but the 201 comes that late (a client timeout).
 * `delayMs` on an error outcome delays the error.
 */
export type TwilioOutcome =
  | { status: number; code?: number; message?: string; delayMs?: number }
  | { twilioError: number; message?: string; delayMs?: number }
  | { delayMs: number };

/** A message the fake accepted: the form the client sent and the resource answered. */
export interface TwilioSentMessage {
  sid: string;
  form: Params;
  resource: TwilioMessageResource;
}

/** The Message resource as Twilio returns it on create (see outbound-create-message.response-201.json). */
export interface TwilioMessageResource {
  account_sid: string;
  api_version: '2010-04-01';
  body: string;
  date_created: string;
  date_sent: string | null;
  date_updated: string;
  direction: 'outbound-api';
  error_code: number | null;
  error_message: string | null;
  from: string | null;
  messaging_service_sid: string | null;
  num_media: string;
  num_segments: string;
  price: string | null;
  price_unit: string | null;
  sid: string;
  status: 'queued' | 'accepted' | 'scheduled';
  subresource_uris: { media: string };
  to: string;
  uri: string;
}

export interface TwilioFake extends HttpFake {
  /** Successful creations, in order; a delayed success is here as soon as it was created, like at Twilio. */
  sent: TwilioSentMessage[];
  failNext(...outcomes: TwilioOutcome[]): void;
}

// Twilio's wording for the errors a sender has to tell apart (twilio.com/docs/errors/<code>).
const TWILIO_ERROR_MESSAGES: Record<number, string> = {
  20003: 'Authenticate',
  20404: 'The requested resource was not found',
  20429: 'Too Many Requests',
  20500: 'An internal server error has occurred',
  20503: 'Service Unavailable',
  21211: "The 'To' number is not a valid phone number.",
  21602: 'Message body is required.',
  21603: "A 'From' phone number is required.",
  21604: "A 'To' phone number is required.",
  21610: 'Attempt to send to unsubscribed recipient',
  21617: 'The concatenated message body exceeds the 1600 character limit.',
  63016:
    'Failed to send freeform message because you are outside the allowed window. If you want to send messages outside the allowed window, please use a Message Template.',
};

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\.json$/;
const MAX_BODY_LENGTH = 1600;

/**
 * A local stand-in for api.twilio.com's Messages API, answering in Twilio's wire format so that the official
 * SDK can be pointed at it (swap the origin of the URIs the SDK builds; see the provider-fakes test).
 */
export async function startTwilioFake(options: TwilioFakeOptions): Promise<TwilioFake> {
  const sent: TwilioSentMessage[] = [];
  const scripted: TwilioOutcome[] = [];

  function handle(request: RecordedRequest): FakeReply {
    if (!hasCredentials(request, options)) {
      // Twilio checks credentials before it looks at the path.
      return { ...twilioError(401, 20003), headers: { 'www-authenticate': 'Basic realm="Twilio API"' } };
    }
    const account = ACCOUNT_PATH.exec(request.path);
    // The account fetch (`client.api.v2010.accounts(sid).fetch()`): what a channel's "check" asks.
    if (account && request.method === 'GET') {
      if (decodeURIComponent(account[1]) !== options.accountSid) return twilioError(404, 20404, `The requested resource ${request.path} was not found`);
      return { status: 200, json: accountResource(options) };
    }
    const route = MESSAGES_PATH.exec(request.path);
    if (!route) return twilioError(404, 20404, `The requested resource ${request.path} was not found`);
    // Credentials of one account used on another account's path: Twilio refuses them as unauthenticated.
    if (decodeURIComponent(route[1]) !== options.accountSid) return twilioError(401, 20003);
    if (request.method !== 'POST') return twilioError(405, 20004, 'Method not allowed');

    const outcome = scripted.shift();
    if (outcome && 'status' in outcome) return { ...twilioError(outcome.status, outcome.code ?? defaultCodeFor(outcome.status), outcome.message), delayMs: outcome.delayMs };
    if (outcome && 'twilioError' in outcome) return { ...twilioError(400, outcome.twilioError, outcome.message), delayMs: outcome.delayMs };

    const created = createMessage(options.accountSid, request.form ?? {});
    if ('status' in created) return created;
    sent.push(created);
    return { status: 201, json: created.resource, delayMs: outcome?.delayMs };
  }

  const fake = await startHttpFake(handle);
  return {
    ...fake,
    sent,
    failNext: (...outcomes) => {
      scripted.push(...outcomes);
    },
  };
}

/** The Account resource as Twilio's REST API answers it (the fields the SDK reads; dates in RFC 2822). */
function accountResource({ accountSid, friendlyName }: TwilioFakeOptions): Record<string, unknown> {
  return {
    sid: accountSid,
    owner_account_sid: accountSid,
    friendly_name: friendlyName ?? 'My first Twilio account',
    status: 'active',
    type: 'Full',
    auth_token: '[redacted]',
    date_created: 'Tue, 01 Dec 2026 09:00:00 +0000',
    date_updated: 'Tue, 01 Dec 2026 09:00:00 +0000',
    uri: `/2010-04-01/Accounts/${accountSid}.json`,
    subresource_uris: { messages: `/2010-04-01/Accounts/${accountSid}/Messages.json` },
  };
}

function hasCredentials(request: RecordedRequest, { accountSid, authToken }: TwilioFakeOptions): boolean {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  return Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8') === `${accountSid}:${authToken}`;
}

function createMessage(accountSid: string, form: Params): TwilioSentMessage | FakeReply {
  const to = single(form.To);
  const from = single(form.From);
  const messagingServiceSid = single(form.MessagingServiceSid);
  const body = single(form.Body) ?? '';
  const mediaUrls = many(form.MediaUrl);
  if (!to) return twilioError(400, 21604);
  if (!from && !messagingServiceSid) return twilioError(400, 21603);
  if (!isPlausibleAddress(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (!body && mediaUrls.length === 0 && !single(form.ContentSid)) return twilioError(400, 21602);
  if (body.length > MAX_BODY_LENGTH) return twilioError(400, 21617);

  const sid = `SM${randomBytes(16).toString('hex')}`;
  const now = rfc2822(new Date());
  // Without a From, a Messaging Service picks the sender later: Twilio answers `accepted` and from: null.
  // A fixed SendAt needs a Messaging Service and answers `scheduled` (see the WhatsApp scheduled fixture).
  const scheduled = single(form.ScheduleType) === 'fixed' && Boolean(single(form.SendAt));
  const status = scheduled ? 'scheduled' : from ? 'queued' : 'accepted';
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${sid}`;
  const resource: TwilioMessageResource = {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body,
    date_created: now,
    date_sent: status === 'queued' ? now : null,
    date_updated: now,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: from ?? null,
    messaging_service_sid: messagingServiceSid ?? null,
    num_media: String(mediaUrls.length),
    num_segments: scheduled ? '0' : String(segmentsOf(body, to)),
    price: null,
    price_unit: null,
    sid,
    status,
    subresource_uris: { media: `${uri}/Media.json` },
    to,
    uri: `${uri}.json`,
  };
  return { sid, form, resource };
}

/** A Twilio error answer: `{code, message, more_info, status}`, which the SDK turns into a RestException. */
function twilioError(status: number, code: number, message?: string): FakeReply {
  return {
    status,
    json: {
      code,
      message: message ?? TWILIO_ERROR_MESSAGES[code] ?? `Error ${code}`,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
    },
  };
}

function defaultCodeFor(status: number): number {
  if (status === 429) return 20429;
  if (status === 503) return 20503;
  if (status >= 500) return 20500;
  return 20000 + status;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function many(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** E.164 or a channel address such as `whatsapp:+8190...`; anything else is Twilio's 21211. */
function isPlausibleAddress(address: string): boolean {
  return /^(?:[a-z]+:)?\+[1-9]\d{6,14}$/.test(address);
}

// GSM-7 texts travel 160 to a segment (153 when concatenated); anything outside the basic GSM set makes the
// whole text UCS-2: 70 to a segment (67 when concatenated), counted in UTF-16 units. WhatsApp has no segments.
const GSM_7 = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\[~\]|€\f]*$/;

function segmentsOf(body: string, to: string): number {
  if (to.startsWith('whatsapp:') || body.length <= 0) return 1;
  if (GSM_7.test(body)) {
    // The extension characters cost an escape septet each.
    const septets = body.length + (body.match(/[\^{}\\[~\]|€\f]/g)?.length ?? 0);
    return septets <= 160 ? 1 : Math.ceil(septets / 153);
  }
  return body.length <= 70 ? 1 : Math.ceil(body.length / 67);
}

/** Twilio's date format: `Thu, 24 Aug 2023 05:01:45 +0000`. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/**
 * The `X-Twilio-Signature` Twilio would send for a form webhook to `url` with these params, computed by the
 * SDK itself so that a verifier under test is checked against Twilio's algorithm, not a copy of it.
 */
export function signTwilioForm(authToken: string, url: string, params: Params): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/** The form-encoded body for `params` (array values as repeated keys), to post what `signTwilioForm` signed. */
export function formBody(params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, item);
  }
  return search.toString();
}

/** Posts a form to a hub's Twilio webhook path, signed as Twilio signs it for the URL it was told (`publicUrl` + path). */
export function postSignedTwilioForm(hubUrl: string, publicUrl: string, path: string, authToken: string, params: Params) {
  return request(hubUrl)
    .post(path)
    .set('content-type', 'application/x-www-form-urlencoded')
    .set('x-twilio-signature', signTwilioForm(authToken, publicUrl + path, params))
    .send(formBody(params));
}

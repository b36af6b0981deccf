import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../common/errors/domain-error.js';
import { onDemand } from '../../common/on-demand.js';
import type { EventWebhook } from '@sendgrid/eventwebhook';

/** SendGrid's signature helper, loaded with the first signed Event Webhook post a channel receives. */
const eventWebhookSdk = onDemand(async () => (await import('@sendgrid/eventwebhook')).default.EventWebhook);

/** SendGrid signs each post with the time it was sent; an older one is a replay (its libraries check no window). */
export const EVENT_TIMESTAMP_TOLERANCE_S = 5 * 60;

export const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

function single(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

/**
 * Inbound Parse posts carry no signature: the channel's secret in the URL (`?token=`) is what tells SendGrid from
 * anyone else who learned the channel id. Compared in constant time (through digests, which have one length).
 */
export function verifyChannelToken(expected: string, given: string | undefined, what: string): void {
  if (!given) {
    throw new DomainError('unauthenticated', 'token_missing', `The ${what} URL has no ?token=; use the URL with the channel's inbound token that the hub shows.`);
  }
  const same = timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
  // An empty token would make every URL valid for a channel saved without one: refuse instead.
  if (!expected || !same) {
    throw new DomainError('unauthenticated', 'token_invalid', `The ${what} URL's token is not this channel's inbound token.`);
  }
}

/**
 * Event Webhook posts: ECDSA P-256 over the timestamp header followed by the raw body, checked by SendGrid's own
 * helper; then the timestamp must be within five minutes of now, either way (a replayed post keeps its old
 * signature, and a clock far ahead is no better).
 */
export async function verifyEventSignature(
  publicKey: string,
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
  now: Date,
): Promise<void> {
  const signature = single(headers[SIGNATURE_HEADER]);
  const timestamp = single(headers[TIMESTAMP_HEADER]);
  if (!signature || !timestamp) {
    const missing = [!signature && 'X-Twilio-Email-Event-Webhook-Signature', !timestamp && 'X-Twilio-Email-Event-Webhook-Timestamp'].filter(Boolean).join(' and ');
    throw new DomainError('unauthenticated', 'signature_missing', `The ${missing} header is missing; this channel only takes signed Event Webhook posts.`);
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new DomainError('unauthenticated', 'signature_invalid', 'The X-Twilio-Email-Event-Webhook-Timestamp header is not a Unix time in seconds.');
  }
  if (!signatureMatches(new (await eventWebhookSdk())(), publicKey, rawBody, signature, timestamp)) {
    throw new DomainError(
      'unauthenticated',
      'signature_invalid',
      'The Event Webhook signature does not match the body; check the verification key (eventPublicKey) in the channel settings.',
    );
  }
  const age = now.getTime() / 1000 - Number(timestamp);
  if (Math.abs(age) > EVENT_TIMESTAMP_TOLERANCE_S) {
    throw new DomainError(
      'unauthenticated',
      'timestamp_out_of_range',
      `The Event Webhook timestamp is ${Math.round(Math.abs(age))} s ${age > 0 ? 'old' : 'ahead'}; posts more than ${EVENT_TIMESTAMP_TOLERANCE_S} s from now are refused as replays.`,
    );
  }
}

function signatureMatches(helper: EventWebhook, publicKey: string, rawBody: Buffer, signature: string, timestamp: string): boolean {
  try {
    // The helper concatenates the timestamp and the body as text: the body's bytes are UTF-8 JSON, so nothing is lost.
    return helper.verifySignature(helper.convertPublicKeyToECDSA(publicKey), rawBody, signature, timestamp);
  } catch {
    // A key or signature that is not valid base64 DER: the helper throws instead of answering false.
    return false;
  }
}

/** Characters of SendGrid's `dkim` field read: dozens of signatures' worth. */
const MAX_DKIM_FIELD = 2_000;

/**
 * Whether an Inbound Parse mail's From is vouched for by the sending domain: SendGrid's `dkim` field lists the
 * signatures it checked (`{@example.com : pass, @other.example : fail}`), `SPF` its verdict for the envelope sender.
 * Either counts when its domain is aligned with the From's: the same domain, or one a subdomain of the other (a
 * simplified DMARC relaxed alignment that does not consult the public suffix list). Without it, anyone can write a
 * From line, so what such a mail says (STOP) must not change a customer's consent.
 */
export function senderAligned(mail: { from: string; dkim?: string; spf?: string; envelopeFrom?: string | null }): boolean {
  const fromDomain = domainOf(mail.from);
  if (!fromDomain) return false;
  // Capped before matching: the pattern backtracks quadratically over a run of `@`, and the field is the sender's to
  // write. A real field lists a few signatures; a longer one loses only what lies past the cap (no alignment).
  const dkim = (mail.dkim ?? '').slice(0, MAX_DKIM_FIELD);
  const passed = [...dkim.matchAll(/@([^\s:,{}]+)\s*:\s*([a-z]+)/gi)].filter((m) => m[2].toLowerCase() === 'pass').map((m) => m[1].toLowerCase());
  if (passed.some((domain) => aligned(domain, fromDomain))) return true;
  const envelopeDomain = mail.envelopeFrom ? domainOf(mail.envelopeFrom) : null;
  return mail.spf?.trim().toLowerCase() === 'pass' && envelopeDomain !== null && aligned(envelopeDomain, fromDomain);
}

function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  const domain = at >= 0 ? address.slice(at + 1).trim().toLowerCase().replace(/\.$/, '') : '';
  return domain.includes('.') ? domain : null;
}

function aligned(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../common/errors/domain-error.js';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/;

/**
 * X-Hub-Signature-256: `sha256=` and the lowercase hex HMAC-SHA256 of the raw body with the app secret. Only the
 * bytes Meta sent count: the same JSON serialized again (other spacing, escaped non-ASCII) is another body.
 */
export function verifyHubSignature(appSecret: string, rawBody: Buffer, header: string | string[] | undefined): void {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) {
    throw new DomainError('unauthenticated', 'signature_missing', 'The X-Hub-Signature-256 header is missing; Meta signs every webhook with the app secret.');
  }
  // Meta writes the hex in lower case; a header in another form is not one Meta made.
  const match = SIGNATURE.exec(value.trim());
  if (!match) {
    throw new DomainError('unauthenticated', 'signature_invalid', 'The X-Hub-Signature-256 header is not of the form sha256=<64 hex digits>.');
  }
  // An empty secret would make anyone's HMAC "valid" for a channel saved without one: refuse instead.
  const expected = createHmac('sha256', appSecret || '').update(rawBody).digest();
  if (!appSecret || !timingSafeEqual(expected, Buffer.from(match[1], 'hex'))) {
    throw new DomainError(
      'unauthenticated',
      'signature_invalid',
      'The X-Hub-Signature-256 does not match the body; check the app secret in the channel settings (Meta app dashboard, Settings > Basic).',
    );
  }
}

/**
 * The GET check Meta makes when the callback URL is saved: `hub.mode=subscribe`, our verify token, and a
 * challenge to echo verbatim. Anything else is refused, so that nobody learns the URL answers.
 */
export function verifyHandshake(verifyToken: string, query: Record<string, string | undefined>): string {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'] ?? '';
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || challenge === undefined) {
    throw new DomainError('forbidden', 'handshake_invalid', 'A webhook check needs hub.mode=subscribe, hub.verify_token and hub.challenge.');
  }
  const given = Buffer.from(token);
  const wanted = Buffer.from(verifyToken || '');
  if (!verifyToken || given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    throw new DomainError('forbidden', 'verify_token_mismatch', 'The hub.verify_token is not this channel’s verify token; type the same one in the Meta app’s webhook settings.');
  }
  return challenge;
}

import { validateSignature } from '@line/bot-sdk';
import { DomainError } from '../../common/errors/domain-error.js';

/**
 * x-line-signature: base64 HMAC-SHA256 of the raw body with the channel secret, compared in constant time by the
 * SDK's own helper. Only the bytes LINE sent count: JSON parsed and serialized again is another body.
 */
export function verifyLineSignature(channelSecret: string, rawBody: Buffer, header: string | string[] | undefined): void {
  const signature = Array.isArray(header) ? header[0] : header;
  if (!signature) {
    throw new DomainError('unauthenticated', 'signature_missing', 'The x-line-signature header is missing; only LINE may call this webhook.');
  }
  if (!validateSignature(rawBody, channelSecret, signature)) {
    throw new DomainError('unauthenticated', 'signature_invalid', 'The x-line-signature does not match the body: check the channel secret in the channel settings.');
  }
}

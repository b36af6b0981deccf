import { DomainError } from '../../common/errors/domain-error.js';
import { onDemand } from '../../common/on-demand.js';

/** The SDK's signature helper, loaded with the first webhook a LINE channel receives. */
const lineSdk = onDemand(() => import('@line/bot-sdk'));

/**
 * x-line-signature: base64 HMAC-SHA256 of the raw body with the channel secret, compared in constant time by the
 * SDK's own helper. Only the bytes LINE sent count: JSON parsed and serialized again is another body.
 */
export async function verifyLineSignature(channelSecret: string, rawBody: Buffer, header: string | string[] | undefined): Promise<void> {
  // A repeated header is not something LINE sends; the first one is checked and must match on its own.
  const signature = Array.isArray(header) ? header[0] : header;
  if (!signature) {
    throw new DomainError('unauthenticated', 'signature_missing', 'The x-line-signature header is missing.');
  }
  // An empty secret would make anyone's HMAC "valid" for a channel saved without one: refuse instead.
  const { validateSignature } = await lineSdk();
  if (!channelSecret || !validateSignature(rawBody, channelSecret, signature)) {
    throw new DomainError('unauthenticated', 'signature_invalid', 'The x-line-signature does not match the body; check the channel secret in the channel settings.');
  }
}

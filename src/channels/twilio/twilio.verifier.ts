import { onDemand } from '../../common/on-demand.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { WebhookRequest } from '../channel-adapter.js';
import type { TwilioWebhookParams } from './twilio.schema.js';


/** The SDK's signature helpers, loaded with the first webhook a Twilio channel receives. */
const twilioSdk = onDemand(async () => (await import('twilio')).default);

/**
 * X-Twilio-Signature: HMAC-SHA1 with the Auth Token over the URL Twilio called (PUBLIC_URL + path + query)
 * followed by the form fields sorted by name. JSON webhooks instead carry `bodySHA256` in the URL and the HMAC
 * covers the URL alone. The check itself is the official validator's, which also tries the URL with and without
 * the default port and with the legacy query encoding, as Twilio may have signed either. (The SDK's signature
 * helpers are used here; its network client only in the sender.)
 */
export async function verifyTwilioSignature(authToken: string, request: WebhookRequest, params: () => TwilioWebhookParams): Promise<void> {
  const header = request.headers['x-twilio-signature'];
  const signature = Array.isArray(header) ? header[0] : header;
  if (!signature) {
    throw new DomainError('unauthenticated', 'signature_missing', 'The X-Twilio-Signature header is missing; only Twilio may call this webhook.');
  }
  const signedBody = new URL(request.url).searchParams.has('bodySHA256');
  const twilio = await twilioSdk();
  // A channel whose Auth Token does not open has none: anyone can compute an HMAC with an empty key.
  const valid = !authToken
    ? false
    : signedBody
    ? twilio.validateRequestWithBody(authToken, signature, request.url, request.rawBody.toString('utf8'))
    : twilio.validateRequest(authToken, signature, request.url, params());
  if (!valid) {
    throw new DomainError(
      'unauthenticated',
      'signature_invalid',
      'The X-Twilio-Signature does not match this request: check the channel’s Auth Token and that PUBLIC_URL is the address Twilio calls.',
    );
  }
}

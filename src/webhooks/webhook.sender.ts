import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Clock } from '../common/clock.js';
import { outboundRefusal } from '../common/outbound/index.js';
import type { OutboundGuard } from '../common/outbound/index.js';

/** A receiver that has not answered in this long has failed the attempt (it is retried). */
export const ATTEMPT_TIMEOUT_MS = 15_000;
/** How much of a receiver's answer the delivery log keeps. */
export const RESPONSE_BODY_LIMIT = 2_048;

/** What one attempt came to, as the delivery log shows it. */
export interface AttemptOutcome {
  /** A 2xx answer. */
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  /** The first 2 KB of the answer's body. */
  responseBody: string | null;
  /** Why no answer came (a timeout, a refused connection, an address the hub does not call). */
  error: string | null;
}

/** A new signing secret in the specification's form: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The three headers the Standard Webhooks specification defines, the signature made with the reference library. With
 * two secrets (just after a rotation) the header carries both signatures, space-separated as the specification allows,
 * so a receiver holding either verifies it.
 */
export function signatureHeaders(secrets: readonly string[], eventId: string, at: Date, body: string): Record<string, string> {
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(eventId, at, body)).join(' '),
  };
}

/**
 * Posts one signed delivery through the outbound guard: the target's address is judged again at every attempt
 * (after DNS, which may have changed since the URL was saved). Redirects are not followed: a receiver that moved
 * answers 3xx, which fails the attempt, so a signed body never goes to a host nobody saved.
 */
export class WebhookSender {
  constructor(
    private readonly guard: OutboundGuard,
    private readonly clock: Clock,
  ) {}

  async post(url: string, secrets: readonly string[], eventId: string, body: string): Promise<AttemptOutcome> {
    const at = this.clock.now();
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const response = await this.guard.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Tsunagi-Webhooks/1', ...signatureHeaders(secrets, eventId, at, body) },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      const responseBody = await readStart(response.body);
      const ok = response.status >= 200 && response.status < 300;
      return { ok, statusCode: response.status, durationMs: elapsed(), responseBody, error: ok ? null : `The receiver answered HTTP ${response.status}.` };
    } catch (error) {
      return { ok: false, statusCode: null, durationMs: elapsed(), responseBody: null, error: describeFailure(error) };
    }
  }
}

/** The first 2 KB of a body; the rest is not read (the connection is let go). */
async function readStart(body: ReadableStream<Uint8Array> | null): Promise<string | null> {
  if (!body) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    while (size < RESPONSE_BODY_LIMIT) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value));
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString('utf8');
  return text === '' ? null : text;
}

function describeFailure(error: unknown): string {
  const refused = outboundRefusal(error);
  if (refused) return `${refused.code}: ${refused.message}`;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `timeout: the receiver did not answer within ${ATTEMPT_TIMEOUT_MS / 1000} seconds.`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `network_error: the receiver could not be reached (${detail}).`;
}

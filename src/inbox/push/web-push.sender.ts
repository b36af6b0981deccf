import webpush from 'web-push';
import { OutboundRefused } from '../../common/outbound/index.js';
import type { OutboundGuard } from '../../common/outbound/index.js';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** What the push service said: taken, the subscription is gone for good (404, 410), or refused for good. */
export type PushOutcome = { kind: 'sent' } | { kind: 'gone'; status: number } | { kind: 'refused'; status: number };

/** The push service failed in a way worth trying again (5xx, 429, a network error): the job retries. */
export class PushRetryable extends Error {}

/** A fresh P-256 key pair for VAPID, base64url as push services and `applicationServerKey` take it. */
export function generateVapidKeys(): VapidKeys {
  return webpush.generateVAPIDKeys();
}

/**
 * Web Push (RFC 8030) with an encrypted payload (RFC 8291, aes128gcm) and VAPID (RFC 8292). The `web-push` package
 * encrypts and signs; the request itself goes through the outbound guard's fetch, since the endpoint is a URL that
 * came from outside (a browser names it), like any other.
 */
export class WebPushSender {
  constructor(
    private readonly keys: VapidKeys,
    private readonly subject: string,
    private readonly guard: OutboundGuard,
  ) {}

  async send(target: PushTarget, payload: string, options: { ttlSeconds: number; urgency: 'normal' | 'high'; topic?: string }): Promise<PushOutcome> {
    const request = webpush.generateRequestDetails({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, payload, {
      vapidDetails: { subject: this.subject, publicKey: this.keys.publicKey, privateKey: this.keys.privateKey },
      TTL: Math.max(0, Math.floor(options.ttlSeconds)),
      urgency: options.urgency,
      // A topic replaces an undelivered push of the same topic at the push service (an offer sent again).
      ...(options.topic ? { topic: options.topic } : {}),
    });
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    let response: Response;
    try {
      response = await this.guard.fetch(request.endpoint, { method: 'POST', headers, body: request.body ? new Uint8Array(request.body) : null, signal: AbortSignal.timeout(15_000) });
    } catch (error) {
      // The guard's refusal is final (the address is not allowed); anything else on the way is an outage.
      if (error instanceof OutboundRefused) throw error;
      throw new PushRetryable(`push service unreachable: ${error instanceof Error ? error.message : String(error)}`);
    }
    await response.body?.cancel();
    if (response.ok) return { kind: 'sent' };
    // RFC 8030 8.3: the subscription expired or was removed; it will never take a push again.
    if (response.status === 404 || response.status === 410) return { kind: 'gone', status: response.status };
    if (response.status === 429 || response.status >= 500) throw new PushRetryable(`push service answered HTTP ${response.status}`);
    // 400 (a malformed request), 403 (the subscription was made with another VAPID key), 413 (too large): not again.
    return { kind: 'refused', status: response.status };
  }
}

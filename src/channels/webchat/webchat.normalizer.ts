import { randomUUID } from 'node:crypto';
import type { InboundEvent } from '../channel-adapter.js';

/** A visitor's socket frame -> the normalized message every channel produces. */
export function normalizeWidgetMessage(visitorId: string, frame: { body: string; clientId?: string }, now: Date): InboundEvent {
  // The widget's own id makes a resend after a lost ack idempotent, like a provider's event id.
  const key = `${visitorId}:${frame.clientId ?? randomUUID()}`;
  return {
    type: 'message',
    eventKey: key,
    providerMessageId: key,
    from: { kind: 'visitor', address: visitorId },
    body: frame.body,
    attachments: [],
    occurredAt: now,
  };
}

/** The events an endpoint may subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'conversation.created',
  'conversation.resolved',
  'message.created',
  'contact.consent_changed',
  'sale.created',
  'sale.reversed',
  'ticket.created',
  'ticket.updated',
  'ticket.solved',
  'ticket.overdue',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What a subscription may name: one event type, or `ticket.*` for every ticket event (those added later too). */
export const WEBHOOK_SUBSCRIPTIONS = [...WEBHOOK_EVENT_TYPES, 'ticket.*'] as const;

export type WebhookSubscription = (typeof WEBHOOK_SUBSCRIPTIONS)[number];

/** The event log's name for the outgoing webhooks, its consumer. */
export const WEBHOOKS_CONSUMER = 'webhooks';

/** The type of the test ping an administrator sends from the endpoint's page; never subscribed to. */
export const PING_EVENT_TYPE = 'webhook.ping';

/**
 * One event of the team, as `OutgoingWebhooksService.publish` takes it. `id` is the event's own, stable id: it is the
 * `webhook-id` receivers dedupe by, and publishing the same id twice delivers it once. Deliveries that name one
 * `conversationId` reach each endpoint in the order they were published; `null` for events of no conversation.
 */
export interface WebhookEvent {
  id: string;
  teamId: string;
  type: string;
  conversationId: string | null;
  data: Record<string, unknown>;
  occurredAt: Date;
}

/** Whether an endpoint's subscriptions take an event of `type`: named as it is, or by its family's `x.*`. */
export function subscribes(subscriptions: readonly string[], type: string): boolean {
  if (subscriptions.includes(type)) return true;
  const dot = type.indexOf('.');
  return dot > 0 && subscriptions.includes(`${type.slice(0, dot)}.*`);
}

/**
 * The subscriptions as kept: each once, in the order of the list above, and the ticket events folded into `ticket.*`
 * when it is there (it already stands for them).
 */
export function normalizeSubscriptions(subscriptions: readonly WebhookSubscription[]): WebhookSubscription[] {
  const wanted = new Set(subscriptions);
  return WEBHOOK_SUBSCRIPTIONS.filter((type) => wanted.has(type) && !(type.startsWith('ticket.') && type !== 'ticket.*' && wanted.has('ticket.*')));
}

/**
 * The body posted for an event, as the Standard Webhooks specification recommends: `type`, `timestamp` (when the
 * event happened, ISO 8601) and `data`. Built once, when the delivery is written, so every attempt sends the same bytes.
 */
export function webhookBody(event: Pick<WebhookEvent, 'type' | 'data' | 'occurredAt'>): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt.toISOString(), data: event.data });
}

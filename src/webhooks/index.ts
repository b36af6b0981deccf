/**
 * Outgoing webhooks. `OutgoingWebhooksService.publish(event, { endpointId? })` delivers one of the team's events to
 * every enabled endpoint subscribed to its type (or to one endpoint), signed per Standard Webhooks, retried for 3 days,
 * in order per conversation; publishing the same event id twice delivers it once.
 */
export { WebhooksModule } from './webhooks.module.js';
export { OutgoingWebhooksService } from './outgoing-webhooks.service.js';
export { WEBHOOK_EVENT_TYPES, WEBHOOK_SUBSCRIPTIONS } from './webhook-events.js';
export type { WebhookEvent, WebhookEventType, WebhookSubscription } from './webhook-events.js';

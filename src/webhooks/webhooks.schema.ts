import { z } from 'zod';
import { WEBHOOK_SUBSCRIPTIONS } from './webhook-events.js';

const endpointFields = {
  /** Where events are posted: http(s). A private-network address only when its origin is in HUB_ALLOWED_API_ORIGINS. */
  url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL' }).max(2048),
  description: z.string().trim().max(200),
  /** The event types posted; `ticket.*` takes every ticket event. */
  events: z.array(z.enum(WEBHOOK_SUBSCRIPTIONS)).min(1).max(WEBHOOK_SUBSCRIPTIONS.length * 2),
  /** Switched off: nothing is posted and new events are not kept for it; switched on again, what was pending goes. */
  enabled: z.boolean(),
};

export const createEndpointBody = z.strictObject({ ...endpointFields, description: endpointFields.description.optional(), enabled: endpointFields.enabled.optional() });
export const updateEndpointBody = z.strictObject(endpointFields).partial();

export const deliveriesQuery = z.strictObject({
  state: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** `nextCursor` of the page before. */
  cursor: z.string().regex(/^\d+$/, 'cursor must be a nextCursor the API gave').optional(),
});

export const replayFailedBody = z.strictObject({
  /** Failed deliveries of events written at or after this time are sent again. */
  since: z.iso.datetime({ offset: true }),
});

export const endpointView = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.enum(WEBHOOK_SUBSCRIPTIONS)),
    enabled: z.boolean(),
    /** `failing`: the hub switched it off after 24 hours of failed attempts; null otherwise. */
    disabledReason: z.enum(['failing']).nullable(),
    disabledAt: z.string().nullable(),
    /** The first failed attempt since the last success, while it keeps failing. */
    failingSince: z.string().nullable(),
    pendingDeliveries: z.int(),
    createdAt: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });
export const endpointListView = z.object({ items: z.array(endpointView) }).meta({ id: 'WebhookEndpointList' });

export const secretView = z
  .object({
    /** The signing secret (`whsec_...`), shown only in this answer: keep it in the receiver. */
    secret: z.string(),
  })
  .meta({ id: 'WebhookSecret' });
export const createdEndpointView = endpointView.extend({ secret: z.string() }).meta({ id: 'WebhookEndpointCreated' });

export const attemptView = z
  .object({
    id: z.string(),
    attemptedAt: z.string(),
    ok: z.boolean(),
    statusCode: z.int().nullable(),
    durationMs: z.int(),
    /** The first 2 KB of the receiver's answer. */
    responseBody: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'WebhookAttempt' });

export const deliveryView = z
  .object({
    id: z.string(),
    /** The `webhook-id` header: the event's id, the same on every attempt and replay. */
    eventId: z.string(),
    eventType: z.string(),
    conversationId: z.string().nullable(),
    state: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.int(),
    /** While pending: when it is tried next (or once the endpoint, or the conversation's earlier delivery, lets it). */
    nextAttemptAt: z.string().nullable(),
    lastStatus: z.int().nullable(),
    lastError: z.string().nullable(),
    lastAttempt: attemptView.nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });
export const deliveryListView = z.object({ items: z.array(deliveryView), nextCursor: z.string().nullable() }).meta({ id: 'WebhookDeliveryList' });
export const deliveryDetailView = deliveryView
  .extend({
    /** The JSON body as posted. */
    body: z.string(),
    attemptLog: z.array(attemptView),
  })
  .meta({ id: 'WebhookDeliveryDetail' });
export const replayedView = z.object({ replayed: z.int() }).meta({ id: 'WebhookReplayed' });

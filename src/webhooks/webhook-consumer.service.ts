import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Tx } from '../common/database/database.js';
import { EventLog } from '../common/events/event-log.js';
import type { EventConsumer, LoggedEvent } from '../common/events/event-log.js';
import { OutgoingWebhooksService } from './outgoing-webhooks.service.js';
import { WEBHOOKS_CONSUMER, WEBHOOK_EVENT_TYPES, subscribes } from './webhook-events.js';

/**
 * The team's logged events, handed to its endpoints: the event log calls `handle` at least once per event after the
 * commit that wrote it, the events of a conversation in order, and `publish` writes each endpoint's delivery once.
 * Only the types an enabled endpoint subscribes to are logged at all (`interestedTypes`), so a team without endpoints
 * spends nothing on them; the endpoints' service tells the log when that set changes.
 */
@Injectable()
export class WebhookEventConsumer implements EventConsumer, OnModuleInit {
  readonly name = WEBHOOKS_CONSUMER;

  constructor(
    private readonly eventLog: EventLog,
    private readonly webhooks: OutgoingWebhooksService,
  ) {}

  onModuleInit(): void {
    this.eventLog.register(this);
  }

  async handle(event: LoggedEvent): Promise<void> {
    await this.webhooks.publish(event);
  }

  async interestedTypes(teamId: string, db: Tx): Promise<Set<string>> {
    const endpoints = await db.webhookEndpoint.findMany({ where: { teamId, enabled: true }, select: { events: true } });
    return new Set(WEBHOOK_EVENT_TYPES.filter((type) => endpoints.some((endpoint) => subscribes(endpoint.events, type))));
  }
}

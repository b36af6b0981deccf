import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/index.js';
import { TeamsModule } from '../teams/index.js';
import { OutgoingWebhooksService } from './outgoing-webhooks.service.js';
import { WebhookEventConsumer } from './webhook-consumer.service.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhookContacts } from './webhook-contacts.service.js';

/** Outgoing webhooks: the team's events posted, signed, to the URLs its administrators subscribe. */
@Module({
  imports: [ConversationsModule, TeamsModule],
  controllers: [WebhooksController],
  providers: [WebhookContacts, OutgoingWebhooksService, WebhookEndpointsService, WebhookEventConsumer],
  exports: [OutgoingWebhooksService],
})
export class WebhooksModule {}

import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/index.js';
import { OutgoingWebhooksService } from './outgoing-webhooks.service.js';
import { WebhookEventConsumer } from './webhook-consumer.service.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhooksController } from './webhooks.controller.js';

/** Outgoing webhooks: the team's events posted, signed, to the URLs its administrators subscribe. */
@Module({
  imports: [TeamsModule],
  controllers: [WebhooksController],
  providers: [OutgoingWebhooksService, WebhookEndpointsService, WebhookEventConsumer],
  exports: [OutgoingWebhooksService],
})
export class WebhooksModule {}

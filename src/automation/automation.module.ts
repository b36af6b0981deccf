import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/index.js';
import { ReportsModule } from '../reports/index.js';
import { TeamsModule } from '../teams/index.js';
import { TicketsModule, TicketsService } from '../tickets/index.js';
import { OutgoingWebhooksService, WebhooksModule } from '../webhooks/index.js';
import { AutomationController } from './automation.controller.js';
import { AUTOMATION_TICKETS, AUTOMATION_WEBHOOKS } from './automation.ports.js';
import { AutomationService } from './automation.service.js';
import { AutomationContacts } from './automation-contacts.js';

@Module({
  imports: [ConversationsModule, ReportsModule, TeamsModule, TicketsModule, WebhooksModule],
  controllers: [AutomationController],
  providers: [AutomationContacts, AutomationService, { provide: AUTOMATION_TICKETS, useExisting: TicketsService }, { provide: AUTOMATION_WEBHOOKS, useExisting: OutgoingWebhooksService }],
  exports: [AutomationService],
})
export class AutomationModule {}

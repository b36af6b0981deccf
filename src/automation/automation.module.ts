import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/index.js';
import { ReportsModule } from '../reports/index.js';
import { TeamsModule } from '../teams/index.js';
import { TicketsModule } from '../tickets/index.js';
import { WebhooksModule } from '../webhooks/index.js';
import { AutomationController } from './automation.controller.js';
import { AutomationService } from './automation.service.js';
import { AutomationContacts } from './automation-contacts.service.js';

@Module({
  imports: [ConversationsModule, ReportsModule, TeamsModule, TicketsModule, WebhooksModule],
  controllers: [AutomationController],
  providers: [AutomationContacts, AutomationService],
  exports: [AutomationService],
})
export class AutomationModule {}

import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/index.js';
import { InboxModule } from '../inbox/index.js';
import { TeamsModule } from '../teams/index.js';
import { TicketEvents } from './ticket.events.js';
import { TicketNews } from './ticket-news.service.js';
import { TicketReplies } from './ticket-replies.service.js';
import { TicketReportService } from './ticket-report.service.js';
import { TicketTimers } from './ticket-timers.service.js';
import { TicketWaits } from './ticket-waits.service.js';
import { TicketsController } from './tickets.controller.js';
import { TicketsService } from './tickets.service.js';
import { TicketContacts } from './ticket-contacts.service.js';

@Module({
  imports: [ConversationsModule, InboxModule, TeamsModule],
  controllers: [TicketsController],
  providers: [TicketContacts, TicketEvents, TicketNews, TicketWaits, TicketTimers, TicketReplies, TicketsService, TicketReportService],
  exports: [TicketEvents, TicketsService],
})
export class TicketsModule {}

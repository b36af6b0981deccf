import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/index.js';
import { ContactsModule } from '../contacts/index.js';
import { ConversationsModule } from '../conversations/index.js';
import { TeamsModule } from '../teams/index.js';
import { AwayNoticeService } from './away-notice.service.js';
import { OffersService } from './offers.service.js';
import { OpeningHoursService } from './opening-hours.service.js';
import { QueueService } from './queue.service.js';
import { RoutingEvents } from './routing.events.js';
import { SlowReplyService } from './slow-reply.service.js';
import { TransfersService } from './transfers.service.js';

@Module({
  imports: [ChannelsModule, ContactsModule, ConversationsModule, TeamsModule],
  providers: [OffersService, OpeningHoursService, AwayNoticeService, TransfersService, QueueService, SlowReplyService, RoutingEvents],
  exports: [OffersService, OpeningHoursService, SlowReplyService, TransfersService, QueueService, RoutingEvents],
})
export class RoutingModule {}

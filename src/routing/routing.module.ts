import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/index.js';
import { ConversationsModule } from '../conversations/index.js';
import { TeamsModule } from '../teams/index.js';
import { OffersService } from './offers.service.js';
import { RoutingEvents } from './routing.events.js';

@Module({
  imports: [ChannelsModule, ConversationsModule, TeamsModule],
  providers: [OffersService, RoutingEvents],
  exports: [OffersService, RoutingEvents],
})
export class RoutingModule {}

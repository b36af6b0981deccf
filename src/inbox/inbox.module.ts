import { FileLinksController } from './file-links.controller.js';
import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/index.js';
import { ContactsModule } from '../contacts/index.js';
import { ConversationsModule } from '../conversations/index.js';
import { ReportsModule } from '../reports/index.js';
import { RoutingModule } from '../routing/index.js';
import { SupervisionModule } from '../supervision/index.js';
import { SalesModule } from '../sales/index.js';
import { TeamsModule } from '../teams/index.js';
import { InboxController } from './inbox.controller.js';
import { InboxGateway } from './inbox.gateway.js';
import { ContactActionsController } from './contact-actions.controller.js';
import { MessagesController } from './messages.controller.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsService } from './notifications.service.js';
import { PresenceWatch } from './presence-watch.js';
import { QueueController } from './queue.controller.js';

@Module({
  imports: [ChannelsModule, ConversationsModule, ContactsModule, RoutingModule, SupervisionModule, ReportsModule, SalesModule, TeamsModule],
  controllers: [InboxController, MessagesController, FileLinksController, ContactActionsController, QueueController, NotificationsController],
  providers: [InboxGateway, PresenceWatch, NotificationsService],
  exports: [PresenceWatch],
})
export class InboxModule {}

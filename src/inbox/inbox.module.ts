import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/index.js';
import { TeamsModule } from '../teams/index.js';
import { InboxController } from './inbox.controller.js';
import { InboxGateway } from './inbox.gateway.js';
import { MessagesController } from './messages.controller.js';

@Module({
  imports: [ConversationsModule, TeamsModule],
  controllers: [InboxController, MessagesController],
  providers: [InboxGateway],
})
export class InboxModule {}

import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/index.js';
import { ContactsController } from './contacts.controller.js';
import { ContactEvents } from './contact.events.js';
import { ContactsService } from './contacts.service.js';
import { ConsentService } from './consent.service.js';
import { InvitationService } from './invitation.service.js';

@Module({
  imports: [TeamsModule],
  controllers: [ContactsController],
  providers: [ContactsService, ConsentService, ContactEvents, InvitationService],
  exports: [ContactsService, ConsentService, ContactEvents, InvitationService],
})
export class ContactsModule {}

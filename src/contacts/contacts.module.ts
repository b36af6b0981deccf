import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/index.js';
import { ContactsController } from './contacts.controller.js';
import { ContactEvents } from './contact.events.js';
import { ContactsService } from './contacts.service.js';
import { ConsentService } from './consent.service.js';

@Module({
  imports: [TeamsModule],
  controllers: [ContactsController],
  providers: [ContactsService, ConsentService, ContactEvents],
  exports: [ContactsService, ConsentService, ContactEvents],
})
export class ContactsModule {}

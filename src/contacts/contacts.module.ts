import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/index.js';
import { ContactsController } from './contacts.controller.js';
import { ContactsService } from './contacts.service.js';

@Module({ imports: [TeamsModule], controllers: [ContactsController], providers: [ContactsService], exports: [ContactsService] })
export class ContactsModule {}

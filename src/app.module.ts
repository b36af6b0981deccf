import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ChannelsModule } from './channels/index.js';
import { CommonModule, HubInfrastructure } from './common/common.module.js';
import { ErrorResponseFilter } from './common/errors/error-response.js';
import { HealthController } from './common/health.controller.js';
import { ContactsModule } from './contacts/index.js';
import { ConversationsModule } from './conversations/index.js';
import { InboxModule } from './inbox/inbox.module.js';
import { RoutingModule } from './routing/index.js';
import { TeamsModule } from './teams/index.js';

@Module({})
export class AppModule {
  static register(infra: HubInfrastructure): DynamicModule {
    return {
      module: AppModule,
      imports: [CommonModule.register(infra), TeamsModule, ChannelsModule, ContactsModule, ConversationsModule, RoutingModule, InboxModule],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: ErrorResponseFilter }],
    };
  }
}

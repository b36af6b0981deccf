import { DynamicModule, Module } from '@nestjs/common';
import type { Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AutomationModule } from './automation/index.js';
import { CatalogModule } from './catalog/index.js';
import { ChannelsModule } from './channels/index.js';
import { CommonModule, HubInfrastructure } from './common/common.module.js';
import { ErrorResponseFilter } from './common/errors/error-response.js';
import { HealthController } from './common/health.controller.js';
import { MetricsController } from './common/metrics/metrics.controller.js';
import { ContactsModule } from './contacts/index.js';
import { ConversationsModule } from './conversations/index.js';
import { InboxModule } from './inbox/index.js';
import { ReportsModule } from './reports/index.js';
import { RoutingModule } from './routing/index.js';
import { SupervisionModule } from './supervision/index.js';
import { SalesModule } from './sales/index.js';
import { TeamsModule } from './teams/index.js';
import { WebhooksModule } from './webhooks/index.js';
import { TicketsModule } from './tickets/index.js';

/** Providers given at start that modules look up by token (tests hand in fakes at the edge this way). */
@Module({})
class HubOverridesModule {}

@Module({})
export class AppModule {
  static register(infra: HubInfrastructure, overrides: Provider[] = []): DynamicModule {
    const extra: DynamicModule = { module: HubOverridesModule, global: true, providers: overrides, exports: overrides.map((p) => ('provide' in p ? p.provide : p)) };
    return {
      module: AppModule,
      imports: [CommonModule.register(infra), extra, TeamsModule, ChannelsModule, ContactsModule, ConversationsModule, RoutingModule, SupervisionModule, ReportsModule, SalesModule, InboxModule, CatalogModule, TicketsModule, WebhooksModule, AutomationModule],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: APP_FILTER, useClass: ErrorResponseFilter }],
    };
  }
}

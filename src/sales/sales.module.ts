import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/index.js';
import { ContactsModule } from '../contacts/index.js';
import { ConversationsModule } from '../conversations/index.js';
import { TeamsModule } from '../teams/index.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { PurchasesController } from './purchases.controller.js';
import { PurchasesService } from './purchases.service.js';
import { SaleTouchesService } from './sale-touches.service.js';
import { SalesController } from './sales.controller.js';
import { SalesEvents } from './sales.events.js';
import { SalesFiguresService } from './sales-figures.service.js';
import { SalesService } from './sales.service.js';
import { ShopperEventsService } from './shopper-events.service.js';
import { WidgetEventsController } from './widget-events.controller.js';

@Module({
  imports: [ChannelsModule, ContactsModule, ConversationsModule, TeamsModule],
  controllers: [PurchasesController, SalesController, WidgetEventsController],
  providers: [SalesEvents, ShopperEventsService, SaleTouchesService, SalesFiguresService, PurchasesService, SalesService, ApiKeyGuard],
  exports: [SalesEvents, SalesService, ShopperEventsService],
})
export class SalesModule {}

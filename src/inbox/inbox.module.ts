import { CatalogModule } from '../catalog/index.js';
import { ProductLinksController } from './product-links.controller.js';
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
import { MemberNews } from './member-news.service.js';
import { QueueController } from './queue.controller.js';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { OUTBOUND_GUARD } from '../common/outbound/index.js';
import type { OutboundGuard } from '../common/outbound/index.js';
import { PushController } from './push/push.controller.js';
import { PushDeliveriesService } from './push/push-deliveries.service.js';
import { PushRelay } from './push/push-relay.service.js';
import { PushSubscriptionsService } from './push/push-subscriptions.service.js';
import { WEB_PUSH_SENDER } from './push/push.tokens.js';
import { VAPID_KEYS, loadVapidKeys } from './push/vapid-keys.js';
import { WebPushSender } from './push/web-push.sender.js';
import type { VapidKeys } from './push/web-push.sender.js';

@Module({
  imports: [ChannelsModule, ConversationsModule, ContactsModule, RoutingModule, SupervisionModule, ReportsModule, SalesModule, TeamsModule, CatalogModule],
  controllers: [InboxController, MessagesController, FileLinksController, ProductLinksController, ContactActionsController, QueueController, NotificationsController, PushController],
  providers: [
    InboxGateway,
    PresenceWatch,
    NotificationsService,
    { provide: VAPID_KEYS, inject: [HUB_CONFIG], useFactory: (config: HubConfig) => loadVapidKeys(config) },
    {
      provide: WEB_PUSH_SENDER,
      inject: [HUB_CONFIG, OUTBOUND_GUARD, VAPID_KEYS],
      useFactory: (config: HubConfig, guard: OutboundGuard, keys: VapidKeys) => new WebPushSender(keys, config.vapidSubject, guard),
    },
    PushSubscriptionsService,
    PushDeliveriesService,
    PushRelay,
    MemberNews,
  ],
  exports: [PresenceWatch, MemberNews],
})
export class InboxModule {}

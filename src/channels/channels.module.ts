import { WebchatUploadsController } from './webchat/webchat-uploads.controller.js';
import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/index.js';
import { ChannelRegistry, registerAdapter } from './channel-registry.js';
import { ChannelsController } from './channels.controller.js';
import { ChannelsService } from './channels.service.js';
import { ChannelEvents } from './channel.events.js';
import { ChannelInbound } from './inbound-port.js';
import { CustomerNotices } from './customer-notices.service.js';
import { ChannelShopperEvents } from './shopper-port.js';
import { WebchatVisitors } from './visitor-port.js';
import { WebchatCalls } from './call-port.js';
import { WEBHOOK_ADMISSION } from '../common/http/body-limits.js';
import { WebhookAdmissionService } from './webhook-admission.service.js';
import { WebhooksController } from './webhooks.controller.js';
import { LineAdapter } from './line/line.adapter.js';
import { SendgridAdapter } from './sendgrid/sendgrid.adapter.js';
import { TwilioAdapter } from './twilio/twilio.adapter.js';
import { WhatsAppCloudAdapter } from './whatsapp-cloud/whatsapp-cloud.adapter.js';
import { WhatsAppWebAdapter } from './whatsapp-web/whatsapp-web.adapter.js';
import { WhatsAppWebSessions } from './whatsapp-web/whatsapp-web-sessions.service.js';
import { WebchatAdapter } from './webchat/webchat.adapter.js';
import { WebchatGateway } from './webchat/webchat.gateway.js';
import { WidgetLimitsService } from './webchat/widget-limits.service.js';
import { WebchatSender } from './webchat/webchat.sender.js';

@Module({
  imports: [TeamsModule],
  controllers: [ChannelsController, WebhooksController, WebchatUploadsController],
  providers: [
    ChannelsService,
    ChannelEvents,
    ChannelInbound,
    ChannelShopperEvents,
    WebchatVisitors,
    WebchatCalls,
    CustomerNotices,
    WebchatSender,
    WebchatAdapter,
    WebchatGateway,
    WidgetLimitsService,
    TwilioAdapter,
    LineAdapter,
    WhatsAppCloudAdapter,
    WhatsAppWebSessions,
    WhatsAppWebAdapter,
    SendgridAdapter,
    WebhookAdmissionService,
    { provide: WEBHOOK_ADMISSION, useExisting: WebhookAdmissionService },
    {
      provide: ChannelRegistry,
      inject: [WebchatAdapter, TwilioAdapter, LineAdapter, WhatsAppCloudAdapter, WhatsAppWebAdapter, SendgridAdapter],
      // One entry per provider (CHANNEL_PROVIDERS): leaving one out, or an adapter not registered, fails to compile.
      useFactory: (webchat: WebchatAdapter, twilio: TwilioAdapter, line: LineAdapter, cloud: WhatsAppCloudAdapter, web: WhatsAppWebAdapter, sendgrid: SendgridAdapter) =>
        new ChannelRegistry({
          webchat: registerAdapter(webchat),
          twilio: registerAdapter(twilio),
          line: registerAdapter(line),
          'whatsapp-cloud': registerAdapter(cloud),
          'whatsapp-web': registerAdapter(web),
          sendgrid: registerAdapter(sendgrid),
        }),
    },
  ],
  exports: [ChannelsService, ChannelEvents, ChannelRegistry, ChannelInbound, ChannelShopperEvents, WebchatVisitors, WebchatCalls, CustomerNotices],
})
export class ChannelsModule {}

/** Channels: the adapter contract, channel accounts, webhooks and each provider's folder. */
export { ChannelsModule } from './channels.module.js';
export { ChannelsService } from './channels.service.js';
export { ChannelEvents } from './channel.events.js';
export type { ChannelEventMap } from './channel.events.js';
export { ChannelRegistry } from './channel-registry.js';
export { capabilitiesOf } from './channel-adapter.js';
export { MAX_PRODUCT_CARDS, priceTextOf, productCardsAsText, widgetProductCards } from './product-cards.js';
export { ChannelInbound } from './inbound-port.js';
export { ThreadKey } from './thread-key.js';
export { CustomerNotices } from './customer-notices.service.js';
export { ChannelShopperEvents } from './shopper-port.js';
export { verifyWidgetOrigin } from './webchat/webchat.verifier.js';
export type { ShopperEventSink } from './shopper-port.js';
export { currencyCode, minorUnits, shopperProduct, visitorIdSchema, widgetEventBody } from './webchat/webchat.schema.js';
export type { ShopperEventInput } from './webchat/webchat.schema.js';
export type { InboundSink, IngestOutcome } from './inbound-port.js';
export { WebchatVisitors } from './visitor-port.js';
export { WebchatCalls } from './call-port.js';
export type { VisitorCalls, VisitorCallEvents } from './call-port.js';
export type { LaunchState, LeftMessage, ProofSent, VisitorMessage, VisitorPage, VisitorSessions } from './visitor-port.js';
export type {
  Attachment,
  ChannelAccount,
  ChannelAdapter,
  ChannelAddress,
  ChannelCapabilities,
  ChannelProvider,
  ChannelType,
  CustomerNotice,
  EarlierMessage,
  RegisteredAdapter,
  StoredConfig,
  InboundEvent,
  IntakeResult,
  MessageContent,
  OutboundMessage,
  OutboundProductCard,
  OutboundTemplate,
  ProductCard,
  SendResult,
  TemplateChoice,
} from './channel-adapter.js';
export { REPLY_TOKEN_TTL_MS } from './channel-adapter.js';
export { WHATSAPP_WEB_RUNTIME } from './whatsapp-web/whatsapp-web.sender.js';
export type { WhatsAppWebClient, WhatsAppWebClientFactory, WhatsAppWebClientOptions, WhatsAppWebRuntime } from './whatsapp-web/whatsapp-web.sender.js';

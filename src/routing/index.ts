/** Routing: who is offered which conversation, and what happens when nobody takes it. */
export { RoutingModule } from './routing.module.js';
export { OffersService } from './offers.service.js';
export { OpeningHoursService } from './opening-hours.service.js';
export { SlowReplyService } from './slow-reply.service.js';
export { TransfersService } from './transfers.service.js';
export { QueueService } from './queue.service.js';
export { queueView } from './queue.schema.js';
export type { QueueView } from './queue.schema.js';
export { RoutingEvents } from './routing.events.js';
export type { OfferView, RoutingEventMap, TransferView } from './routing.events.js';

/** Routing: who is offered which conversation, and what happens when nobody takes it. */
export { RoutingModule } from './routing.module.js';
export { OffersService } from './offers.service.js';
export { OpeningHoursService } from './opening-hours.service.js';
export { RoutingEvents } from './routing.events.js';
export type { OfferView, RoutingEventMap } from './routing.events.js';

/** Sales attribution: shopper events, purchases credited to the member who chatted, and the sales views. */
export { SalesModule } from './sales.module.js';
export { SalesEvents } from './sales.events.js';
export type { SalesEventMap } from './sales.events.js';
export { SalesService } from './sales.service.js';
export { ShopperEventsService } from './shopper-events.service.js';
export type { ShopperActivity } from './shopper-events.service.js';
export type { AttributionReason, SaleView, SalesFigure, ShopperEventView } from './sales.views.js';

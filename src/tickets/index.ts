/**
 * Tickets: follow-up work taken from a chat, made by hand or by an automation rule, with a status, an assignee or
 * group, a due time with its reminder, internal comments, and the customer's replies threaded in.
 */
export { TicketsModule } from './tickets.module.js';
export { TicketsService } from './tickets.service.js';
export type { CreateTicketInput, TicketCreator } from './tickets.service.js';
export { TicketEvents } from './ticket.events.js';
export type { TicketEventMap } from './ticket.events.js';
export type { TicketView } from './ticket.views.js';

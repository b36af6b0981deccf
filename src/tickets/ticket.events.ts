import { DomainEvents } from '../common/events/domain-events.js';

/**
 * Emitted after commit, in the process that made the change; ids only (listeners read what they need). An automation
 * module listens to these through `src/tickets/index.ts`.
 */
export interface TicketEventMap {
  [name: string]: unknown;
  'ticket.created': { teamId: string; ticketId: string; number: number; conversationId: string | null; contactId: string | null };
  /** Anything about the ticket changed: `changes` names the fields (`status`, `assigneeId`, `comment`, `reply`, ...). */
  'ticket.updated': { teamId: string; ticketId: string; changes: string[] };
  'ticket.solved': { teamId: string; ticketId: string };
  /** Its due time passed while it was unsolved: once per ticket and due time. */
  'ticket.overdue': { teamId: string; ticketId: string; dueAt: string };
}

export class TicketEvents extends DomainEvents<TicketEventMap> {}

import type { NewLoggedEvent } from '../common/events/event-log.js';
import type { TicketRow } from './ticket.views.js';

type TicketEventType = 'ticket.created' | 'ticket.updated' | 'ticket.solved' | 'ticket.overdue';

/**
 * A ticket's event for the event log (outgoing webhooks, automation rules), written in the transaction of the change:
 * what an outside system needs to mirror the ticket, never its comments. Filed under the ticket's conversation, so a
 * receiver gets a chat's and its tickets' events in the order they happened.
 */
export function loggedTicketEvent(teamId: string, type: TicketEventType, ticket: TicketRow, at: Date, changes: string[] = []): NewLoggedEvent {
  return {
    teamId,
    type,
    conversationId: ticket.conversationId,
    occurredAt: at,
    data: {
      ticketId: ticket.id,
      number: ticket.number,
      title: ticket.title,
      status: ticket.status,
      priority: ticket.priority,
      assigneeId: ticket.assigneeId,
      groupId: ticket.groupId,
      contactId: ticket.contactId,
      conversationId: ticket.conversationId,
      dueAt: ticket.dueAt?.toISOString() ?? null,
      ...(type === 'ticket.updated' ? { changes } : {}),
    },
  };
}

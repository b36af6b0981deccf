import { z } from 'zod';

// Tickets: follow-up work taken from a chat. The view is shared by the HTTP routes and the `/inbox` socket's
// `ticket.updated`, so a list the inbox shows and the frame that updates it are one shape.

export const ticketStatuses = ['open', 'pending_customer', 'pending_us', 'solved', 'closed'] as const;
export const ticketStatus = z.enum(ticketStatuses);
export type TicketStatus = z.output<typeof ticketStatus>;

export const ticketPriorities = ['low', 'normal', 'high', 'urgent'] as const;
export const ticketPriority = z.enum(ticketPriorities);
export type TicketPriority = z.output<typeof ticketPriority>;

/** Who made the ticket: a member (from a chat or by hand) or an automation rule. */
export const ticketCreatorView = z.union([z.object({ kind: z.literal('member'), memberId: z.string() }), z.object({ kind: z.literal('rule'), ruleId: z.string() })]);

/** A ticket as lists and the socket show it. */
export const inboxTicketView = z
  .object({
    id: z.string(),
    /** Shown to people as `#12`: counts per team. */
    number: z.number(),
    title: z.string(),
    status: ticketStatus,
    priority: ticketPriority,
    assigneeId: z.string().nullable(),
    groupId: z.string().nullable(),
    contactId: z.string().nullable(),
    conversationId: z.string().nullable(),
    dueAt: z.string().nullable(),
    /** When the assignee (or the group) is reminded; null without a due time. */
    remindAt: z.string().nullable(),
    /** Past its due time and neither solved nor closed. */
    overdue: z.boolean(),
    createdBy: ticketCreatorView.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    solvedAt: z.string().nullable(),
  })
  .meta({ id: 'Ticket' });

export type InboxTicket = z.output<typeof inboxTicketView>;

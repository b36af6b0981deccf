import { z } from 'zod';
import { inboxMessageView, inboxTicketView, ticketPriority, ticketStatus } from '../common/realtime/events/index.js';

const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 time such as 2026-12-04T12:00:00Z' });
const day = z.iso.date({ error: 'must be a date such as 2026-12-04' });
const id = z.string().min(1).max(64);

/** `POST /api/tickets`: by hand (with a contact), or from a conversation (its contact comes with it). */
export const createTicketBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
  conversationId: id.nullish(),
  contactId: id.nullish(),
  priority: ticketPriority.optional(),
  assigneeId: id.nullish(),
  groupId: id.nullish(),
  dueAt: isoTime.nullish(),
  /** Default: an hour before the due time. */
  remindAt: isoTime.nullish(),
});
export type CreateTicketBody = z.output<typeof createTicketBody>;

/** `POST /api/conversations/:id/tickets`: the conversation's "チケットにする". */
export const conversationTicketBody = createTicketBody.omit({ conversationId: true, contactId: true });

/** `PATCH /api/tickets/:id`: what is given changes; null clears. */
export const updateTicketBody = z
  .strictObject({
    title: z.string().trim().min(1).max(200),
    status: ticketStatus,
    priority: ticketPriority,
    assigneeId: id.nullable(),
    groupId: id.nullable(),
    dueAt: isoTime.nullable(),
    remindAt: isoTime.nullable(),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change' });
export type UpdateTicketBody = z.output<typeof updateTicketBody>;

export const commentBody = z.strictObject({ body: z.string().trim().min(1).max(10_000) });

/** The lists: mine, my groups', overdue, or all the team's (filtered); sorted by due time, those without one last. */
export const ticketsQuery = z.strictObject({
  view: z.enum(['all', 'mine', 'groups', 'overdue']).default('all'),
  status: ticketStatus.optional(),
  priority: ticketPriority.optional(),
  assigneeId: id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `nextCursor` of the page before. */
  cursor: z.string().regex(/^\d{1,6}$/, 'must be the nextCursor of the page before').optional(),
});
export type TicketsQuery = z.output<typeof ticketsQuery>;

/** Days in the team's time zone, both included; at most a year at once. */
export const ticketReportQuery = z
  .strictObject({ from: day.optional(), to: day.optional(), format: z.enum(['json', 'csv']).default('json') })
  .refine((query) => !query.from || !query.to || query.from <= query.to, { path: ['to'], message: 'must not be before from' });
export type TicketReportQuery = z.output<typeof ticketReportQuery>;

// What the routes answer with.

export const ticketView = inboxTicketView;
export const ticketListView = z.object({ items: z.array(ticketView), nextCursor: z.string().nullable() }).meta({ id: 'TicketPage' });
/** A conversation's or a contact's tickets: a handful, whole. */
export const ticketItems = z.object({ items: z.array(ticketView) }).meta({ id: 'TicketList' });

export const ticketCommentView = z.object({ id: z.string(), authorId: z.string(), authorName: z.string().nullable(), body: z.string(), createdAt: z.string() }).meta({ id: 'TicketComment' });

export const ticketActivityView = z
  .object({
    id: z.string(),
    /** created, status, priority, assigned, due, title, comment, reply_joined, reminded, overdue */
    kind: z.string(),
    /** `{from, to}` of a change; `{messageId, conversationId}` of a reply that joined. */
    data: z.record(z.string(), z.unknown()),
    actorId: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'TicketActivity' });

/** A ticket's page: the ticket, its internal comments, its history, and the customer's replies that joined it. */
export const ticketDetailView = z
  .object({
    ticket: ticketView,
    comments: z.array(ticketCommentView),
    activities: z.array(ticketActivityView),
    /** The customer's messages that joined while the ticket waited on them, oldest first (each still in its conversation). */
    replies: z.array(inboxMessageView),
  })
  .meta({ id: 'TicketDetail' });

export const ticketReportView = z
  .object({
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    /** One row per day of the period: tickets opened, solved, and whose due time passed unsolved that day. */
    rows: z.array(z.object({ date: z.string(), opened: z.number(), solved: z.number(), overdue: z.number() })),
    totals: z.object({ opened: z.number(), solved: z.number(), overdue: z.number() }),
  })
  .meta({ id: 'TicketReport' });
export type TicketReport = z.output<typeof ticketReportView>;

import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE, Prisma, isUniqueViolation } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { EventLog } from '../common/events/event-log.js';
import type { AppendedEvent } from '../common/events/event-log.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import type { TicketPriority } from '../common/realtime/events/index.js';
import { toMessageView } from '../conversations/index.js';
import type { AuthMember } from '../teams/index.js';
import { TicketEvents } from './ticket.events.js';
import { TicketNews } from './ticket-news.service.js';
import { UNSOLVED, assertTransition, reminderTime } from './ticket-status.js';
import { TicketTimers } from './ticket-timers.service.js';
import { TicketWaits } from './ticket-waits.service.js';
import { toTicketView } from './ticket.views.js';
import type { TicketRow, TicketView } from './ticket.views.js';
import { loggedTicketEvent } from './ticket-log.js';
import type { CreateTicketBody, TicketsQuery, UpdateTicketBody, ticketDetailView } from './tickets.schema.js';
import type { z } from 'zod';

/** Who made a ticket: a member (from a chat or by hand) or an automation rule. */
export type TicketCreator = { kind: 'member'; memberId: string } | { kind: 'rule'; ruleId: string };

/** What `createTicket` takes: the one way a ticket is made, by the routes and by automation rules alike. */
export interface CreateTicketInput {
  teamId: string;
  title: string;
  conversationId?: string | null;
  contactId?: string | null;
  priority?: TicketPriority;
  assigneeId?: string | null;
  groupId?: string | null;
  dueAt?: Date | null;
  /** Default: an hour before `dueAt`. */
  remindAt?: Date | null;
  createdBy: TicketCreator;
  /** Unique per team: a rule run again with the same key answers the first ticket instead of making a second. */
  dedupeKey?: string;
}

export type TicketDetail = z.output<typeof ticketDetailView>;

/** Lists come sorted by due time (none last), then by age. */
const BY_DUE: Prisma.TicketOrderByWithRelationInput[] = [{ dueAt: { sort: 'asc', nulls: 'last' } }, { id: 'asc' }];

@Injectable()
export class TicketsService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: TicketEvents,
    private readonly news: TicketNews,
    private readonly timers: TicketTimers,
    private readonly waits: TicketWaits,
    private readonly eventLog: EventLog,
  ) {}

  /**
   * Makes a ticket. The contact comes from the conversation when one is named. With a `dedupeKey` already used in the
   * team, answers that ticket and makes nothing (the unique constraint decides, so two runs at once make one ticket).
   */
  async createTicket(input: CreateTicketInput): Promise<{ id: string; number: number }> {
    const { teamId } = input;
    const refs = await this.references(teamId, input);
    const now = this.clock.now();
    const dueAt = input.dueAt ?? null;
    const remindAt = reminderTime(dueAt, input.remindAt, now);
    let row: TicketRow;
    let logged: AppendedEvent[];
    try {
      ({ row, logged } = await this.db.$transaction(async (tx: Tx) => {
        const number = await nextNumber(tx, teamId);
        const created = await tx.ticket.create({
          data: {
            teamId,
            number,
            title: input.title,
            priority: input.priority ?? 'normal',
            assigneeId: input.assigneeId ?? null,
            groupId: input.groupId ?? null,
            contactId: refs.contactId,
            conversationId: input.conversationId ?? null,
            dueAt,
            remindAt,
            createdById: input.createdBy.kind === 'member' ? input.createdBy.memberId : null,
            createdByRuleId: input.createdBy.kind === 'rule' ? input.createdBy.ruleId : null,
            dedupeKey: input.dedupeKey ?? null,
            createdAt: now,
            updatedAt: now,
          },
        });
        await tx.ticketActivity.create({ data: { ticketId: created.id, kind: 'created', actorId: input.createdBy.kind === 'member' ? input.createdBy.memberId : null, data: input.createdBy.kind === 'rule' ? { ruleId: input.createdBy.ruleId } : {}, createdAt: now } });
        return { row: created, logged: await this.eventLog.append(tx, [loggedTicketEvent(teamId, 'ticket.created', created, now)]) };
      }));
    } catch (error) {
      if (!input.dedupeKey || !isUniqueViolation(error)) throw error;
      const first = await this.db.ticket.findUniqueOrThrow({ where: { teamId_dedupeKey: { teamId, dedupeKey: input.dedupeKey } }, select: { id: true, number: true } });
      return first;
    }
    await this.eventLog.dispatch(logged);
    this.events.emit('ticket.created', { teamId, ticketId: row.id, number: row.number, conversationId: row.conversationId, contactId: row.contactId });
    await this.timers.schedule(row);
    this.news.changed(teamId, row);
    return { id: row.id, number: row.number };
  }

  /** A member makes a ticket by hand or from a conversation. */
  async create(member: AuthMember, body: CreateTicketBody): Promise<TicketView> {
    const { id } = await this.createTicket({
      teamId: member.teamId,
      title: body.title,
      conversationId: body.conversationId ?? null,
      contactId: body.contactId ?? null,
      priority: body.priority,
      assigneeId: body.assigneeId === undefined ? member.id : body.assigneeId,
      groupId: body.groupId ?? null,
      dueAt: body.dueAt ? new Date(body.dueAt) : null,
      remindAt: body.remindAt ? new Date(body.remindAt) : null,
      createdBy: { kind: 'member', memberId: member.id },
    });
    return toTicketView(await this.db.ticket.findUniqueOrThrow({ where: { id } }), this.clock.now());
  }

  /** Changes what the body gives, each change written to the ticket's history in the same transaction. */
  async update(member: AuthMember, id: string, body: UpdateTicketBody): Promise<TicketView> {
    const teamId = member.teamId;
    await this.references(teamId, { assigneeId: body.assigneeId, groupId: body.groupId });
    const now = this.clock.now();
    const { row, changes, before, logged } = await this.db.$transaction(async (tx: Tx) => {
      // One change at a time per ticket: two members moving its status at once each see the other's result.
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM tickets WHERE id = ${id} AND team_id = ${teamId} FOR UPDATE`;
      if (locked.length === 0) throw notFound('The ticket');
      const current = await tx.ticket.findUniqueOrThrow({ where: { id } });
      // A closed ticket is history: nothing of it changes (closing it again is no change).
      if (current.status === 'closed' && Object.entries(body).some(([key, value]) => !(key === 'status' && value === 'closed'))) {
        throw new DomainError('conflict', 'ticket_closed', 'This ticket is closed and can no longer change.');
      }
      const data: Prisma.TicketUpdateInput = {};
      const changes: { kind: string; from: unknown; to: unknown }[] = [];
      const change = (kind: string, from: unknown, to: unknown) => {
        if (from !== to) changes.push({ kind, from, to });
      };
      if (body.title !== undefined && body.title !== current.title) {
        data.title = body.title;
        change('title', current.title, body.title);
      }
      if (body.status !== undefined && body.status !== current.status) {
        assertTransition(current.status, body.status);
        data.status = body.status;
        // The customer's messages from now on join this ticket (and a restart's catch-up reads from here).
        data.waitingSince = body.status === 'pending_customer' ? now : null;
        if (body.status === 'solved') data.solvedAt = now;
        if (body.status === 'open' && current.solvedAt) data.solvedAt = null;
        change('status', current.status, body.status);
      }
      if (body.priority !== undefined) {
        data.priority = body.priority;
        change('priority', current.priority, body.priority);
      }
      if (body.assigneeId !== undefined) {
        data.assigneeId = body.assigneeId;
        change('assigned', current.assigneeId, body.assigneeId);
      }
      if (body.groupId !== undefined) {
        data.groupId = body.groupId;
        change('group', current.groupId, body.groupId);
      }
      if (body.dueAt !== undefined || body.remindAt !== undefined) {
        const dueAt = body.dueAt === undefined ? current.dueAt : body.dueAt === null ? null : new Date(body.dueAt);
        // A new due time brings a new default reminder unless one is given; the reminder alone keeps the due time.
        const asked = body.remindAt === undefined ? (body.dueAt === undefined ? current.remindAt : undefined) : body.remindAt === null ? null : new Date(body.remindAt);
        data.dueAt = dueAt;
        data.remindAt = body.remindAt === null ? null : reminderTime(dueAt, asked, now);
        change('due', current.dueAt?.toISOString() ?? null, dueAt?.toISOString() ?? null);
        change('reminder', current.remindAt?.toISOString() ?? null, (data.remindAt as Date | null)?.toISOString() ?? null);
      }
      if (changes.length === 0) return { row: current, changes, before: current, logged: [] };
      data.updatedAt = now;
      const row = await tx.ticket.update({ where: { id }, data });
      await tx.ticketActivity.createMany({ data: changes.map((c) => ({ ticketId: id, kind: c.kind, data: { from: c.from, to: c.to } as Prisma.InputJsonObject, actorId: member.id, createdAt: now })) });
      const events = changes.length === 0 ? [] : [loggedTicketEvent(teamId, 'ticket.updated', row, now, changes.map((c) => c.kind))];
      if (row.status === 'solved' && current.status !== 'solved') events.push(loggedTicketEvent(teamId, 'ticket.solved', row, now));
      return { row, changes, before: current, logged: await this.eventLog.append(tx, events) };
    });
    await this.eventLog.dispatch(logged);
    if (changes.length > 0) await this.afterChange(teamId, before, row, changes.map((c) => c.kind));
    return toTicketView(row, now);
  }

  /** An internal comment: never sent to the customer. */
  async comment(member: AuthMember, id: string, body: string): Promise<TicketDetail['comments'][number]> {
    const ticket = await this.row(member.teamId, id);
    const now = this.clock.now();
    const { comment, row, logged } = await this.db.$transaction(async (tx: Tx) => {
      const comment = await tx.ticketComment.create({ data: { ticketId: id, authorId: member.id, body, createdAt: now } });
      const row = await tx.ticket.update({ where: { id: ticket.id }, data: { updatedAt: now } });
      await tx.ticketActivity.create({ data: { ticketId: id, kind: 'comment', actorId: member.id, createdAt: now } });
      return { comment, row, logged: await this.eventLog.append(tx, [loggedTicketEvent(member.teamId, 'ticket.updated', row, now, ['comment'])]) };
    });
    await this.eventLog.dispatch(logged);
    this.events.emit('ticket.updated', { teamId: member.teamId, ticketId: id, changes: ['comment'] });
    this.news.changed(member.teamId, row);
    return { id: comment.id, authorId: member.id, authorName: member.name, body: comment.body, createdAt: comment.createdAt.toISOString() };
  }

  /** The ticket's page: the ticket, comments, history and the replies that joined, oldest first. */
  async detail(member: AuthMember, id: string): Promise<TicketDetail> {
    const ticket = await this.row(member.teamId, id);
    const [comments, activities, joined] = await Promise.all([
      this.db.ticketComment.findMany({ where: { ticketId: id }, orderBy: { id: 'asc' } }),
      this.db.ticketActivity.findMany({ where: { ticketId: id }, orderBy: { id: 'asc' } }),
      this.db.ticketMessage.findMany({ where: { ticketId: id }, select: { messageId: true } }),
    ]);
    const authorIds = [...new Set(comments.map((c) => c.authorId))];
    const [authors, replies] = await Promise.all([
      this.db.member.findMany({ where: { id: { in: authorIds } }, select: { id: true, name: true } }),
      this.db.message.findMany({ where: { id: { in: joined.map((j) => j.messageId) } }, orderBy: { seq: 'asc' } }),
    ]);
    const names = new Map(authors.map((a) => [a.id, a.name]));
    return {
      ticket: toTicketView(ticket, this.clock.now()),
      comments: comments.map((c) => ({ id: c.id, authorId: c.authorId, authorName: names.get(c.authorId) ?? null, body: c.body, createdAt: c.createdAt.toISOString() })),
      activities: activities.map((a) => ({ id: a.id, kind: a.kind, data: (a.data ?? {}) as Record<string, unknown>, actorId: a.actorId, createdAt: a.createdAt.toISOString() })),
      replies: replies.map(toMessageView),
    };
  }

  /** Mine, my groups', overdue, or the team's; filtered by status, priority and assignee; by due time. */
  async list(member: AuthMember, query: TicketsQuery): Promise<{ items: TicketView[]; nextCursor: string | null }> {
    const now = this.clock.now();
    const where: Prisma.TicketWhereInput = { teamId: member.teamId };
    if (query.view === 'mine') where.assigneeId = member.id;
    if (query.view === 'groups') where.groupId = { in: (await this.db.memberGroupMember.findMany({ where: { memberId: member.id }, select: { groupId: true } })).map((g) => g.groupId) };
    if (query.view === 'overdue') where.dueAt = { lte: now };
    // Mine, my groups' and overdue are work to do: solved and closed ones are left out unless asked for.
    if (query.status) where.status = query.status;
    else if (query.view !== 'all') where.status = { in: [...UNSOLVED] };
    if (query.priority) where.priority = query.priority;
    if (query.assigneeId) where.assigneeId = query.assigneeId;
    const skip = query.cursor ? Number(query.cursor) : 0;
    const rows = await this.db.ticket.findMany({ where, orderBy: BY_DUE, skip, take: query.limit + 1 });
    return { items: rows.slice(0, query.limit).map((row) => toTicketView(row, now)), nextCursor: rows.length > query.limit ? String(skip + query.limit) : null };
  }

  /** The contact's tickets, most recently changed first. */
  async forContact(member: AuthMember, contactId: string): Promise<{ items: TicketView[] }> {
    const contact = await this.db.contact.findFirst({ where: { id: contactId, teamId: member.teamId }, select: { id: true } });
    if (!contact) throw notFound('The contact');
    const rows = await this.db.ticket.findMany({ where: { teamId: member.teamId, contactId }, orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }], take: 200 });
    const now = this.clock.now();
    return { items: rows.map((row) => toTicketView(row, now)) };
  }

  /** The tickets made from the conversation, and those its customer's replies joined. */
  async forConversation(member: AuthMember, conversationId: string): Promise<{ items: TicketView[] }> {
    const conversation = await this.db.conversation.findFirst({ where: { id: conversationId, teamId: member.teamId }, select: { id: true } });
    if (!conversation) throw notFound('The conversation');
    const rows = await this.db.ticket.findMany({
      where: { teamId: member.teamId, OR: [{ conversationId }, { messages: { some: { conversationId } } }] },
      orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
      take: 200,
    });
    const now = this.clock.now();
    return { items: rows.map((row) => toTicketView(row, now)) };
  }

  /** A conversation's "チケットにする": the conversation's contact and history come with it. */
  async fromConversation(member: AuthMember, conversationId: string, body: Omit<CreateTicketBody, 'conversationId' | 'contactId'>): Promise<TicketView> {
    return this.create(member, { ...body, conversationId });
  }

  private async afterChange(teamId: string, before: TicketRow, row: TicketRow, changes: string[]): Promise<void> {
    const ticketId = row.id;
    if (before.status !== row.status && (before.status === 'pending_customer' || row.status === 'pending_customer')) await this.waits.changed(teamId);
    this.events.emit('ticket.updated', { teamId, ticketId, changes });
    if (row.status === 'solved' && before.status !== 'solved') this.events.emit('ticket.solved', { teamId, ticketId });
    await this.timers.schedule(row);
    this.news.changed(teamId, row);
  }

  private async row(teamId: string, id: string): Promise<TicketRow> {
    const row = await this.db.ticket.findFirst({ where: { id, teamId } });
    if (!row) throw notFound('The ticket');
    return row;
  }

  /** The ids a ticket names, each checked to be the team's; the conversation's contact is the ticket's. */
  private async references(teamId: string, input: { conversationId?: string | null; contactId?: string | null; assigneeId?: string | null; groupId?: string | null }): Promise<{ contactId: string | null }> {
    let contactId = input.contactId ?? null;
    if (input.conversationId) {
      const conversation = await this.db.conversation.findFirst({ where: { id: input.conversationId, teamId }, select: { contactId: true } });
      if (!conversation) throw notFound('The conversation');
      contactId = conversation.contactId;
    } else if (contactId && !(await this.db.contact.findFirst({ where: { id: contactId, teamId }, select: { id: true } }))) {
      throw notFound('The contact');
    }
    if (input.assigneeId && !(await this.db.member.findFirst({ where: { id: input.assigneeId, teamId, deactivatedAt: null }, select: { id: true } }))) throw notFound('The member');
    if (input.groupId && !(await this.db.memberGroup.findFirst({ where: { id: input.groupId, teamId }, select: { id: true } }))) throw notFound('The group');
    return { contactId };
  }
}

/** The team's next ticket number, drawn in the ticket's transaction: a rollback gives it back. */
async function nextNumber(tx: Tx, teamId: string): Promise<number> {
  const [{ last }] = await tx.$queryRaw<{ last: number }[]>`
    INSERT INTO ticket_counters (team_id, last) VALUES (${teamId}, 1)
    ON CONFLICT (team_id) DO UPDATE SET last = ticket_counters.last + 1
    RETURNING last`;
  return last;
}


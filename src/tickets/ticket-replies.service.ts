import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { EventLog } from '../common/events/event-log.js';
import { logger } from '../common/logging/logger.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { ConversationEvents } from '../conversations/index.js';
import { TicketEvents } from './ticket.events.js';
import { TicketNews } from './ticket-news.service.js';
import { TicketWaits } from './ticket-waits.service.js';
import type { TicketRow } from './ticket.views.js';
import { loggedTicketEvent } from './ticket-log.js';

/** The customer's first messages since the ticket began to wait: one of them joins (the others belong to other tickets). */
const CATCH_UP_LOOK = 20;

interface Reply {
  teamId: string;
  contactId: string;
  messageId: string;
  conversationId: string;
}

/**
 * The customer's replies threaded into their ticket: a message from a contact with a ticket waiting on them
 * (`pending_customer`) joins the most recently changed such ticket, which then waits on us (`pending_us`), and its
 * assignee (or group) is told. The message stays in its conversation as before; nothing else about the ingest changes.
 *
 * It runs after the message's commit, on its `message.created`. A process that dies in between leaves a message
 * that joined nothing: at start, the catch-up looks at each waiting ticket for its contact's messages since it began
 * to wait, and joins the first. `ticket_messages` holds one row per message, so a message announced twice (a
 * provider's redelivery) or caught up after it joined joins once.
 */
@Injectable()
export class TicketReplies implements OnModuleInit, ResumableWork {
  readonly name = 'ticket replies';
  // Run in the process that stored the message, not in jobs: a job store that lost its jobs lost none of these.
  readonly heldBy = 'process';

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    private readonly conversations: ConversationEvents,
    private readonly events: TicketEvents,
    private readonly news: TicketNews,
    private readonly waits: TicketWaits,
    private readonly eventLog: EventLog,
  ) {}

  onModuleInit(): void {
    this.resumable.register(this);
    this.conversations.on('message.created', async ({ teamId, message }) => {
      if (message.direction !== 'in' || message.author.type !== 'contact' || !message.author.id || message.kind === 'event') return;
      // The hot path: a cached answer for the team, no statement, unless a ticket waits on this very contact.
      if (!(await this.waits.isWaitedOn(teamId, message.author.id))) return;
      await this.join({ teamId, contactId: message.author.id, messageId: message.id, conversationId: message.conversationId });
    });
  }

  /** At start: a waiting ticket whose customer wrote since it began to wait, the message not joined (a crash). */
  async resume(): Promise<number> {
    const waiting = await this.db.ticket.findMany({ where: { status: 'pending_customer', contactId: { not: null }, waitingSince: { not: null } }, select: { teamId: true, contactId: true, waitingSince: true } });
    let joined = 0;
    for (const ticket of waiting) {
      const since = await this.db.message.findMany({
        where: { teamId: ticket.teamId, direction: 'in', authorType: 'contact', authorId: ticket.contactId, kind: { not: 'event' }, createdAt: { gte: ticket.waitingSince! } },
        orderBy: { seq: 'asc' },
        take: CATCH_UP_LOOK,
        select: { id: true, conversationId: true },
      });
      const taken = new Set((await this.db.ticketMessage.findMany({ where: { messageId: { in: since.map((m) => m.id) } }, select: { messageId: true } })).map((t) => t.messageId));
      const message = since.find((m) => !taken.has(m.id));
      if (message && (await this.join({ teamId: ticket.teamId, contactId: ticket.contactId!, messageId: message.id, conversationId: message.conversationId }))) joined++;
    }
    return joined;
  }

  /** Joins the message to the contact's most recently changed waiting ticket; false when none waits (any more). */
  private async join(reply: Reply): Promise<boolean> {
    const now = this.clock.now();
    const joined = await this.db.$transaction(async (tx: Tx) => {
      const ticket = await tx.ticket.findFirst({ where: { teamId: reply.teamId, contactId: reply.contactId, status: 'pending_customer' }, orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }], select: { id: true } });
      if (!ticket) return null;
      // Only while it still waits: a second message racing this one, or a member's change, finds it moved.
      const moved = await tx.ticket.updateMany({ where: { id: ticket.id, status: 'pending_customer' }, data: { status: 'pending_us', waitingSince: null, updatedAt: now } });
      if (moved.count === 0) return null;
      const linked = await tx.ticketMessage.createMany({ data: [{ messageId: reply.messageId, ticketId: ticket.id, conversationId: reply.conversationId, joinedAt: now }], skipDuplicates: true });
      // Joined before (announced again): undo the status move with the rest.
      if (linked.count === 0) throw new AlreadyJoined();
      await tx.ticketActivity.createMany({
        data: [
          { ticketId: ticket.id, kind: 'reply_joined', data: { messageId: reply.messageId, conversationId: reply.conversationId }, createdAt: now },
          { ticketId: ticket.id, kind: 'status', data: { from: 'pending_customer', to: 'pending_us' }, createdAt: now },
        ],
      });
      const row = await tx.ticket.findUniqueOrThrow({ where: { id: ticket.id } });
      return { row, logged: await this.eventLog.append(tx, [loggedTicketEvent(reply.teamId, 'ticket.updated', row, now, ['reply', 'status'])]) };
    }).catch((error: unknown) => {
      if (error instanceof AlreadyJoined) return null;
      throw error;
    });
    if (!joined) return false;
    await this.eventLog.dispatch(joined.logged);
    await this.announce(reply, joined.row);
    return true;
  }

  private async announce(reply: Reply, ticket: TicketRow): Promise<void> {
    await this.waits.changed(reply.teamId);
    this.events.emit('ticket.updated', { teamId: reply.teamId, ticketId: ticket.id, changes: ['reply', 'status'] });
    this.news.changed(reply.teamId, ticket);
    await this.news.replied(reply.teamId, ticket, { id: reply.messageId, conversationId: reply.conversationId }).catch((error: unknown) => logger.error({ err: error, ticketId: ticket.id }, 'ticket reply not told'));
  }
}

class AlreadyJoined extends Error {}

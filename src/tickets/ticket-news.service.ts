import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import type { InboxMemberNotice } from '../common/realtime/events/index.js';
import { MemberNews } from '../inbox/index.js';
import type { PushNews } from '../inbox/index.js';
import { toTicketView } from './ticket.views.js';
import type { TicketRow } from './ticket.views.js';

// A lock screen shows these: the ticket's number and title, never its ids.
const words = {
  ja: { reminder: (n: number) => `チケット #${n} の期限が近づいています`, reply: (n: number) => `チケット #${n} にお客様から返信がありました` },
  en: { reminder: (n: number) => `Ticket #${n} is coming due`, reply: (n: number) => `The customer answered ticket #${n}` },
};

/** Who hears a ticket's news: its assignee, else every active member of its group, else nobody. */
@Injectable()
export class TicketNews {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly news: MemberNews,
  ) {}

  /** The team's agents see the ticket as it is now (lists and an open ticket page update). */
  changed(teamId: string, row: TicketRow): void {
    this.news.toTeam(teamId, 'ticket.updated', toTicketView(row, this.clock.now()));
  }

  async recipients(ticket: { assigneeId: string | null; groupId: string | null }): Promise<string[]> {
    if (ticket.assigneeId) return [ticket.assigneeId];
    if (!ticket.groupId) return [];
    const members = await this.db.memberGroupMember.findMany({ where: { groupId: ticket.groupId, member: { deactivatedAt: null } }, select: { memberId: true } });
    return members.map((m) => m.memberId);
  }

  /** The reminder, in each member's bell, live on their devices and pushed (under the "messages" push setting). */
  async remind(teamId: string, ticket: TicketRow & { dueAt: Date }): Promise<number> {
    const members = await this.recipients(ticket);
    const notice: InboxMemberNotice = { type: 'ticket_reminder', ticketId: ticket.id, number: ticket.number, dueAt: ticket.dueAt.toISOString() };
    await this.news.tell(teamId, members, notice, this.push(ticket, 'reminder'));
    return members.length;
  }

  async replied(teamId: string, ticket: TicketRow, message: { id: string; conversationId: string }): Promise<void> {
    const members = await this.recipients(ticket);
    const notice: InboxMemberNotice = { type: 'ticket_reply', ticketId: ticket.id, number: ticket.number, messageId: message.id, conversationId: message.conversationId };
    await this.news.tell(teamId, members, notice, this.push(ticket, 'reply'));
  }

  private push(ticket: TicketRow, what: 'reminder' | 'reply'): PushNews {
    return {
      kind: 'messages',
      payload: (language) => ({ kind: 'messages', title: words[language][what](ticket.number), body: ticket.title.slice(0, 140), tag: `ticket-${ticket.id}`, url: `/app/tickets/${ticket.id}`, conversationId: ticket.conversationId }),
    };
  }
}

import type { z } from 'zod';
import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ConversationsService, toMessageView } from '../conversations/index.js';
import type { MessageView } from '../conversations/index.js';
import type { AuthMember } from '../teams/index.js';
import { hasRole } from '../teams/index.js';
import type { draftView } from './supervision.schema.js';

/** The route's view (the type is the zod view's). */
export type DraftView = z.output<typeof draftView>;

/**
 * Trainees' replies wait here for a supervisor: approved, a draft goes out as the trainee wrote it (through the
 * conversation's one way out, like any reply); rejected, it never leaves the hub and the trainee reads why. The
 * messages are the conversations module's: the decisions are written there.
 */
@Injectable()
export class DraftsService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly conversations: ConversationsService,
  ) {}

  /** Supervisors see the team's drafts awaiting approval; a trainee sees their own, decided ones included. */
  async list(member: AuthMember): Promise<DraftView[]> {
    const supervisor = hasRole(member, 'supervisor');
    const rows = await this.db.message.findMany({
      where: supervisor
        ? { teamId: member.teamId, status: 'pending_approval' }
        : { teamId: member.teamId, authorId: member.id, OR: [{ status: 'pending_approval' }, { reviewedAt: { not: null } }] },
      orderBy: { createdAt: 'asc' },
      take: 200,
      include: { conversation: { select: { id: true, contact: { select: { name: true } }, channel: { select: { type: true } } } } },
    });
    const authors = await this.db.member.findMany({ where: { id: { in: rows.flatMap((row) => (row.authorId ? [row.authorId] : [])) } }, select: { id: true, name: true } });
    return rows.map((row) => ({
      ...toMessageView(row),
      conversation: { id: row.conversation.id, contactName: row.conversation.contact.name, channelType: row.conversation.channel.type },
      authorName: authors.find((author) => author.id === row.authorId)?.name ?? null,
    }));
  }

  /**
   * Sends the draft once, as its trainee, through the same way out as any reply: a draft the send policy refuses
   * now (the customer sent STOP meanwhile) is refused with the reason and stays pending.
   */
  async approve(member: AuthMember, messageId: string): Promise<MessageView> {
    this.mustSupervise(member);
    return this.conversations.approveDraft(member, messageId);
  }

  async reject(member: AuthMember, messageId: string, feedback: string): Promise<MessageView> {
    this.mustSupervise(member);
    return this.conversations.rejectDraft(member, messageId, feedback);
  }

  private mustSupervise(member: AuthMember): void {
    if (!hasRole(member, 'supervisor')) throw new DomainError('forbidden', 'forbidden', 'Only a supervisor or above may approve or reject a trainee’s draft.');
  }
}

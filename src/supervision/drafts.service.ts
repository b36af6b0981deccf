import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { ConversationEvents, OutboxService, toMessageView } from '../conversations/index.js';
import type { MessageView } from '../conversations/index.js';
import type { AuthMember } from '../teams/index.js';
import { hasRole } from '../teams/index.js';

export interface DraftView extends MessageView {
  conversation: { id: string; contactName: string; channelType: string };
  authorName: string | null;
}

/**
 * Trainees' replies wait here for a supervisor: approved, a draft goes out as the trainee wrote it (through the
 * outbox, like any reply); rejected, it never leaves the hub and the trainee reads why.
 */
@Injectable()
export class DraftsService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly events: ConversationEvents,
    private readonly outbox: OutboxService,
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

  /** Sends the draft once, as its trainee: a second approval (or one racing a rejection) finds it decided. */
  async approve(member: AuthMember, messageId: string): Promise<MessageView> {
    const { message, deliveryId } = await this.db.$transaction(async (tx: Tx) => {
      await this.decide(tx, member, messageId, { status: 'queued' });
      const delivery = await tx.delivery.create({ data: { messageId } });
      const draft = await tx.message.findUniqueOrThrow({ where: { id: messageId }, select: { conversationId: true, createdAt: true } });
      // The customer is answered now, unless they wrote again after the draft.
      await tx.conversation.updateMany({ where: { id: draft.conversationId, OR: [{ lastCustomerMessageAt: null }, { lastCustomerMessageAt: { lte: draft.createdAt } }] }, data: { unreplied: false } });
      return { message: await tx.message.findUniqueOrThrow({ where: { id: messageId } }), deliveryId: delivery.id };
    });
    const view = toMessageView(message);
    this.events.emit('message.updated', { teamId: member.teamId, message: view });
    await this.outbox.schedule(deliveryId, 0);
    return view;
  }

  async reject(member: AuthMember, messageId: string, feedback: string): Promise<MessageView> {
    const message = await this.db.$transaction(async (tx: Tx) => {
      await this.decide(tx, member, messageId, { status: 'rejected', reviewFeedback: feedback });
      return tx.message.findUniqueOrThrow({ where: { id: messageId } });
    });
    const view = toMessageView(message);
    // The trainee hears it on every device (message.updated reaches the team, the trainee included).
    this.events.emit('message.updated', { teamId: member.teamId, message: view });
    return view;
  }

  /** One conditional update decides a draft, whichever supervisor or process gets there first. */
  private async decide(tx: Tx, member: AuthMember, messageId: string, data: { status: 'queued' | 'rejected'; reviewFeedback?: string }): Promise<void> {
    if (!hasRole(member, 'supervisor')) throw new DomainError('forbidden', 'forbidden', 'Only a supervisor or above may approve or reject a trainee’s draft.');
    const { count } = await tx.message.updateMany({
      where: { id: messageId, teamId: member.teamId, status: 'pending_approval' },
      data: { ...data, reviewedById: member.id, reviewedAt: new Date() },
    });
    if (count === 1) return;
    const existing = await tx.message.findFirst({ where: { id: messageId, teamId: member.teamId }, select: { status: true } });
    if (!existing) throw notFound('The draft');
    throw new DomainError('conflict', 'draft_decided', `This draft is no longer awaiting approval (it is ${existing.status}).`);
  }
}

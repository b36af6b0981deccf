import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, Prisma } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { contactRecordIds, liveContact, markMerged, moveContactRecords, unmarkMerged } from '../contacts/index.js';
import type { ContactRecordIds, MergedContactFields } from '../contacts/index.js';
import type { AuthMember } from '../teams/index.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { ContactRecordHolders } from './contact-record-holders.js';

interface Moved extends ContactRecordIds {
  conversationIds: string[];
  messageIds: string[];
  source: MergedContactFields;
  /** Other modules' records moved, by holder name (none in a merge made before holders moved theirs). */
  held?: Record<string, string[]>;
}

/**
 * Two contacts that are one person become one: identities, conversations (with the customer's messages),
 * the consent ledger, invitations and other modules' records (tickets: `ContactRecordHolders`) move to the contact that
 * stays. What moved is recorded by id, so that
 * an undo moves exactly that back. It lives here, not in contacts, because it moves conversations too; it is
 * one transaction so that nobody ever sees half a merge.
 */
@Injectable()
export class ContactMergeService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly holders: ContactRecordHolders,
  ) {}

  async merge(member: AuthMember, sourceId: string, targetId: string): Promise<{ mergeId: string }> {
    this.supervisorOnly(member);
    return this.mergeAs(member.teamId, member.id, sourceId, targetId);
  }

  /**
   * The merge itself; `by` is the supervisor, or `system` when a web visitor gave an address that is already a
   * contact's (recorded and undoable all the same).
   */
  async mergeAs(teamId: string, by: string, sourceId: string, targetId: string): Promise<{ mergeId: string }> {
    if (sourceId === targetId) throw new DomainError('invalid', 'invalid_request', 'A contact cannot be merged into itself.');
    const member = { teamId, id: by };
    return this.db.$transaction(async (tx: Tx) => {
      const [source, target] = await Promise.all([liveContact(tx, member.teamId, sourceId), liveContact(tx, member.teamId, targetId)]);
      const where = { contactId: source.id };
      const conversations = await tx.conversation.findMany({ where, select: { id: true } });
      const moved: Moved = {
        ...(await contactRecordIds(tx, source.id)),
        conversationIds: conversations.map((r) => r.id),
        messageIds: (
          await tx.message.findMany({ where: { authorType: 'contact', authorId: source.id }, select: { id: true } })
        ).map((r) => r.id),
        source: { name: source.name, ownerId: source.ownerId, blocked: source.blocked },
      };
      await this.move(tx, moved, target.id);
      moved.held = {};
      for (const holder of this.holders.all()) {
        if (holder.moveRecords) moved.held[holder.name] = await holder.moveRecords(tx, member.teamId, source.id, target.id);
      }
      await markMerged(tx, member.teamId, source.id, target.id);
      const merge = await tx.contactMerge.create({
        data: { teamId: member.teamId, sourceId: source.id, targetId: target.id, mergedBy: member.id, moved: moved as unknown as Prisma.InputJsonObject },
      });
      return { mergeId: merge.id };
    });
  }

  async undo(member: AuthMember, mergeId: string): Promise<void> {
    this.supervisorOnly(member);
    await this.db.$transaction(async (tx: Tx) => {
      const merge = await tx.contactMerge.findFirst({ where: { id: mergeId, teamId: member.teamId } });
      if (!merge) throw notFound('The merge');
      if (merge.undoneAt) throw new DomainError('conflict', 'merge_undone', 'This merge has already been undone.');
      const moved = merge.moved as unknown as Moved;
      await this.move(tx, moved, merge.sourceId);
      for (const holder of this.holders.all()) {
        const ids = moved.held?.[holder.name] ?? [];
        await holder.moveRecordsBack?.(tx, { ids, conversationIds: moved.conversationIds, targetId: merge.targetId }, merge.sourceId);
      }
      // What the customer wrote in those conversations while merged was written through the source's addresses.
      await tx.message.updateMany({
        where: { conversationId: { in: moved.conversationIds }, authorType: 'contact', authorId: merge.targetId },
        data: { authorId: merge.sourceId },
      });
      await unmarkMerged(tx, merge.sourceId, moved.source);
      await tx.contactMerge.update({ where: { id: merge.id }, data: { undoneAt: this.clock.now() } });
    });
  }

  private async move(tx: Tx, moved: Moved, contactId: string): Promise<void> {
    await moveContactRecords(tx, moved, contactId);
    await tx.conversation.updateMany({ where: { id: { in: moved.conversationIds } }, data: { contactId } });
    await tx.message.updateMany({ where: { id: { in: moved.messageIds } }, data: { authorId: contactId } });
  }

  private supervisorOnly(member: AuthMember): void {
    if (member.role === 'operator') throw new DomainError('forbidden', 'forbidden', 'Only supervisors merge contacts.');
  }
}

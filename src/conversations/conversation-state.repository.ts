import { Prisma } from '../common/database/database.js';
import type { Tx } from '../common/database/database.js';

/**
 * The changes to a conversation's state that routing decides: who holds it, whether it was missed, whether the
 * customer was told the team is away. Each is conditional on what the caller saw and answers whether it took, so the
 * row decides when two processes act at once. They take a transaction client (a plain client is one too) so that a
 * change can share routing's transaction.
 */

/** The away notice is claimed once per closed period: only the caller that still sees `toldAt` sends it. */
export async function claimAwayNotice(tx: Tx, conversationId: string, toldAt: Date | null, now: Date): Promise<boolean> {
  const { count } = await tx.conversation.updateMany({ where: { id: conversationId, awayNoticeAt: toldAt }, data: { awayNoticeAt: now } });
  return count > 0;
}

/**
 * The slow-answer notice is claimed once per customer message: a timer set again for the same message (after a
 * restart, or when a redelivered message is announced again) finds it claimed; of two processes, one claims it.
 */
export async function claimSlowReplyNotice(tx: Tx, conversationId: string, messageId: string): Promise<boolean> {
  const { count } = await tx.conversation.updateMany({
    where: { id: conversationId, OR: [{ slowReplyNoticeFor: null }, { slowReplyNoticeFor: { not: messageId } }] },
    data: { slowReplyNoticeFor: messageId },
  });
  return count > 0;
}

/** An open chat goes back to the waiting queue, unassigned, unless it was resolved or moved meanwhile. */
export async function requeueFrom(tx: Tx, conversationId: string, memberId: string): Promise<boolean> {
  const { count } = await tx.conversation.updateMany({ where: { id: conversationId, assigneeId: memberId, status: 'open' }, data: { status: 'waiting', assigneeId: null } });
  return count > 0;
}

/** An open chat passes from one member to another, unless it was resolved or moved meanwhile. */
export async function handOver(tx: Tx, conversationId: string, fromMemberId: string, toMemberId: string): Promise<boolean> {
  const { count } = await tx.conversation.updateMany({ where: { id: conversationId, status: 'open', assigneeId: fromMemberId }, data: { assigneeId: toMemberId } });
  return count > 0;
}

/** Nobody took the offer in time. */
export async function markMissed(tx: Tx, conversationId: string, at: Date): Promise<void> {
  await tx.conversation.update({ where: { id: conversationId }, data: { missedAt: at } });
}

/**
 * A new conversation is offered once: its first offers claim it, as the common table expression `claim` (its `id`,
 * `channel_id` and `last_message_preview`; no row when it was claimed before) of the one statement that also inserts
 * them, so that a crash keeps both or neither and the follow-up that offers it, run again after a crash, finds it
 * claimed and offers nothing. A pass over the waiting queue that offered it first claimed it too (`lockForOffer`).
 */
export function firstOfferClaim(conversationId: string, at: Date): Prisma.Sql {
  return Prisma.sql`claim AS (
    UPDATE conversations SET routed_at = ${at}::timestamp WHERE id = ${conversationId} AND routed_at IS NULL
    RETURNING id, channel_id, last_message_preview
  )`;
}

/**
 * Holds the conversation's row until the transaction ends, so that two offers of it (its first message's follow-up
 * and a pass over the waiting queue, in this process or another) take turns and the second sees the first's offers.
 * It claims the first offers as well: a first message's follow-up that comes after finds them made.
 */
export async function lockForOffer(tx: Tx, conversationId: string, at: Date): Promise<void> {
  await tx.$executeRaw`UPDATE conversations SET routed_at = COALESCE(routed_at, ${at}::timestamp) WHERE id = ${conversationId}`;
}

import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { ConversationEvents, ConversationsService, handOver, hasRoomFor } from '../conversations/index.js';
import type { ConversationView } from '../conversations/index.js';
import { hasRole, readTeamSettings } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { openLoads } from './loads.js';
import { OffersService } from './offers.service.js';
import { RoutingEvents } from './routing.events.js';
import type { TransferView } from './routing.events.js';
import { toTransferView } from './transfer.view.js';

/** However little of the countdown is left, a colleague gets this long (a quarter of the timeout, if shorter) to accept. */
const MIN_TRANSFER_SECONDS = 15;

export type TransferTarget = { memberId: string; groupId?: undefined } | { groupId: string; memberId?: undefined };

/**
 * Transfers (README, "Routing: presence, hours, offers"): an agent hands a chat to a colleague or a group. The targets are offered it with what
 * is left of the customer's countdown; the chat stays the sender's until someone accepts (one conditional update
 * on the transfer decides between racing colleagues), and if nobody does it simply stays, and the sender is told.
 */
@Injectable()
export class TransfersService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly conversations: ConversationsService,
    private readonly conversationEvents: ConversationEvents,
    private readonly offers: OffersService,
    private readonly events: RoutingEvents,
  ) {}

  async transfer(member: AuthMember, conversationId: string, target: TransferTarget & { note?: string }): Promise<TransferView> {
    const conversation = await this.db.conversation.findFirst({ where: { id: conversationId, teamId: member.teamId } });
    if (!conversation) throw notFound('The conversation');
    if (conversation.status !== 'open' || !conversation.assigneeId) {
      throw new DomainError('conflict', 'not_assigned', 'Only a chat someone holds can be transferred; accept or assign it first.');
    }
    if (conversation.assigneeId !== member.id && !hasRole(member, 'supervisor')) {
      throw new DomainError('forbidden', 'forbidden', 'Only the agent who holds this chat, or a supervisor, may transfer it.');
    }
    const holder = conversation.assigneeId;
    if (await this.db.transfer.findFirst({ where: { conversationId, status: 'pending' } })) {
      throw new DomainError('conflict', 'transfer_pending', 'This chat is already being transferred; wait for the answer.');
    }
    const targets = await this.targets(member.teamId, holder, target);
    const now = this.clock.now();
    const team = await this.db.team.findUniqueOrThrow({ where: { id: member.teamId } });
    const timeout = readTeamSettings(team.settings).offerTimeoutSeconds * 1000;
    // The countdown carries over: a customer who has waited 60 of 90 seconds for an answer has 30 left.
    const waited = conversation.unreplied && conversation.lastCustomerMessageAt ? now.getTime() - conversation.lastCustomerMessageAt.getTime() : 0;
    const expiresAt = new Date(now.getTime() + Math.max(timeout - waited, Math.min(MIN_TRANSFER_SECONDS * 1000, timeout / 4)));
    const transfer = await this.db.$transaction(async (tx: Tx) => {
      const row = await tx.transfer.create({
        data: { teamId: member.teamId, conversationId, fromMemberId: holder, toMemberId: target.memberId ?? null, groupId: target.groupId ?? null, note: target.note ?? null, expiresAt },
      });
      await tx.offer.createMany({ data: targets.map((memberId) => ({ teamId: member.teamId, conversationId, memberId, expiresAt, transferId: row.id })) });
      return row;
    });
    // The note goes with the chat, for agents only: a note is never sent to the customer.
    if (target.note) await this.conversations.post(member, conversationId, { body: target.note, kind: 'note' });
    await this.offers.announce(conversationId, expiresAt, targets);
    return toTransferView(transfer);
  }

  /**
   * Accepts a transfer offered to this member, or answers null when none is: then `/accept` is an ordinary accept
   * of a waiting chat.
   */
  async accept(member: AuthMember, conversationId: string): Promise<ConversationView | null> {
    const offer = await this.db.offer.findFirst({ where: { conversationId, memberId: member.id, status: 'pending', transferId: { not: null } }, include: { transfer: true } });
    if (!offer?.transfer) return null;
    const transfer = offer.transfer;
    const outcome = await this.db.$transaction(async (tx: Tx) => {
      if (!(await hasRoomFor(tx, member.id))) return 'at_capacity' as const;
      const { count } = await tx.transfer.updateMany({ where: { id: transfer.id, status: 'pending' }, data: { status: 'accepted', acceptedById: member.id, closedAt: this.clock.now() } });
      if (count === 0) return 'closed' as const;
      // The sender resolved it or a supervisor moved it meanwhile: the claim is rolled back with this.
      if (!(await handOver(tx, conversationId, transfer.fromMemberId, member.id))) throw new DomainError('conflict', 'conversation_changed', 'This chat changed hands or ended meanwhile; the transfer is void.');
      return 'accepted' as const;
    });
    if (outcome === 'at_capacity') throw new DomainError('conflict', 'at_capacity', 'You already hold as many chats as your capacity allows; finish one first.');
    if (outcome === 'closed') {
      const now = await this.db.transfer.findUniqueOrThrow({ where: { id: transfer.id } });
      if (now.status === 'expired') throw new DomainError('conflict', 'offer_expired', 'This transfer was not accepted in time; the chat stayed with your colleague.');
      throw new DomainError('conflict', 'offer_taken', 'Someone else has already taken this chat.');
    }
    this.conversationEvents.emit('conversation.accepted', { teamId: member.teamId, conversationId, memberId: member.id });
    const accepted = await this.db.transfer.findUniqueOrThrow({ where: { id: transfer.id } });
    this.events.emit('transfer.updated', { teamId: member.teamId, memberId: transfer.fromMemberId, transfer: toTransferView(accepted) });
    return this.conversations.announce(member.teamId, conversationId);
  }

  /** Who is offered the transfer: the colleague, or the group's members who are online and have room. */
  private async targets(teamId: string, holder: string, target: TransferTarget): Promise<string[]> {
    if (target.memberId) {
      const colleague = await this.db.member.findFirst({ where: { id: target.memberId, teamId } });
      if (!colleague) throw new DomainError('invalid', 'invalid_request', 'This member is not in your team.', [{ field: 'memberId', message: 'is not a member of your team' }]);
      if (colleague.id === holder) throw new DomainError('invalid', 'invalid_request', 'The chat is already theirs.', [{ field: 'memberId', message: 'already holds this chat' }]);
      if (colleague.deactivatedAt) throw new DomainError('conflict', 'member_deactivated', `${colleague.name} has been deactivated; transfer to someone else.`);
      if (colleague.status !== 'online') throw new DomainError('conflict', 'member_unavailable', `${colleague.name} is ${colleague.status === 'break' ? 'on a break' : 'offline'}; transfer to someone online.`);
      if ((await this.withRoom(teamId, [colleague.id])).length === 0) throw new DomainError('conflict', 'at_capacity', `${colleague.name} already holds as many chats as their capacity allows.`);
      return [colleague.id];
    }
    const group = await this.db.memberGroup.findFirst({ where: { id: target.groupId, teamId }, include: { members: { include: { member: true } } } });
    if (!group) throw new DomainError('invalid', 'invalid_request', 'This group is not in your team.', [{ field: 'groupId', message: 'is not a group of your team' }]);
    const online = group.members.map((m) => m.member).filter((m) => m.status === 'online' && !m.deactivatedAt && m.id !== holder);
    const chosen = await this.withRoom(teamId, online.map((m) => m.id));
    if (chosen.length === 0) throw new DomainError('conflict', 'nobody_available', `Nobody in ${group.name} is online with room for another chat.`);
    return chosen;
  }

  private async withRoom(teamId: string, memberIds: string[]): Promise<string[]> {
    const members = await this.db.member.findMany({ where: { id: { in: memberIds } }, select: { id: true, capacity: true } });
    const load = await openLoads(this.db, teamId, memberIds);
    return members.filter((m) => (load.get(m.id) ?? 0) < m.capacity).map((m) => m.id);
  }
}

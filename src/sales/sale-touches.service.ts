import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { ConversationEvents } from '../conversations/index.js';
import type { MessageView } from '../conversations/index.js';
import { SalesFiguresService } from './sales-figures.service.js';

/** A reply the customer gets (or will, once delivered): not a note, not a trainee's draft, not a withdrawn greeting. */
const REACHES_CUSTOMER = new Set<MessageView['status']>(['queued', 'sent', 'delivered', 'read']);

/** Pairs remembered as touched: a busy day's open chats times the members answering them, a few hundred KB. */
const TOUCHED_REMEMBERED = 10_000;

/**
 * Records each member's first reply in each conversation, the moment attribution counts from. The time is the
 * hub's clock when the reply went out (or was approved, for a trainee), not when the chat was accepted: a member
 * who never answered served nobody.
 */
@Injectable()
export class SaleTouchesService implements OnModuleInit, OnModuleDestroy {
  private readonly unsubscribe: (() => void)[] = [];
  /**
   * (conversation, member) pairs whose touch this process has seen stored: their later replies and the status updates
   * of every reply would only meet the unique key again, a round trip each on the outbox's path. Bounded: once full it
   * starts over, and a pair it forgot costs one such round trip.
   */
  private readonly touched = new Set<string>();

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly conversationEvents: ConversationEvents,
    private readonly figures: SalesFiguresService,
  ) {}

  onModuleInit(): void {
    const onMessage = ({ teamId, message }: { teamId: string; message: MessageView }) => this.replied(teamId, message);
    this.unsubscribe.push(this.conversationEvents.on('message.created', onMessage), this.conversationEvents.on('message.updated', onMessage));
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe) off();
  }

  /**
   * The first replies in these conversations that have no touch yet, taken from the messages themselves: a touch
   * is written after the reply's commit, so a process that stopped in between would otherwise lose it.
   */
  async backfill(teamId: string, conversationIds: string[]): Promise<void> {
    if (conversationIds.length === 0) return;
    const replies = await this.db.message.groupBy({
      by: ['conversationId', 'authorId'],
      where: { teamId, conversationId: { in: conversationIds }, direction: 'out', kind: 'text', authorType: 'member', status: { in: [...REACHES_CUSTOMER] } },
      _min: { createdAt: true },
    });
    const data = replies.flatMap((reply) =>
      reply.authorId && reply._min.createdAt ? [{ teamId, conversationId: reply.conversationId, memberId: reply.authorId, repliedAt: reply._min.createdAt }] : [],
    );
    if (data.length > 0) await this.db.saleTouch.createMany({ data, skipDuplicates: true });
  }

  private async replied(teamId: string, message: MessageView): Promise<void> {
    if (message.direction !== 'out' || message.kind !== 'text' || message.author.type !== 'member' || !message.author.id) return;
    if (!REACHES_CUSTOMER.has(message.status)) return;
    const memberId = message.author.id;
    const pair = `${message.conversationId}:${memberId}`;
    if (this.touched.has(pair)) return;
    // The unique (conversation, member) keeps the first reply: later replies and status updates change nothing.
    const { count } = await this.db.saleTouch.createMany({
      data: [{ teamId, conversationId: message.conversationId, memberId, repliedAt: this.clock.now() }],
      skipDuplicates: true,
    });
    if (this.touched.size >= TOUCHED_REMEMBERED) this.touched.clear();
    this.touched.add(pair);
    if (count > 0) await this.figures.announce(teamId, memberId);
  }
}

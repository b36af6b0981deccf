import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DATABASE } from '../../common/database/database.js';
import type { Db } from '../../common/database/database.js';
import { ConversationEvents } from '../../conversations/index.js';
import { RoutingEvents } from '../../routing/index.js';
import { SalesEvents } from '../../sales/index.js';
import { PushDeliveriesService } from './push-deliveries.service.js';
import { draftNews, messageNews, offerNews, saleNews } from './push-news.js';

/**
 * What a member is pushed, taken from the same domain events the inbox's sockets hear: a chat offered to them, a
 * customer's message in a chat assigned to them, a sale credited to them, their draft decided. Each event is raised on
 * the one process that caused it, so each push is written once.
 */
@Injectable()
export class PushRelay implements OnModuleInit, OnModuleDestroy {
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly deliveries: PushDeliveriesService,
    private readonly routingEvents: RoutingEvents,
    private readonly conversationEvents: ConversationEvents,
    private readonly salesEvents: SalesEvents,
  ) {}

  onModuleInit(): void {
    this.unsubscribe.push(
      this.routingEvents.on('offer.created', async ({ memberId, offer }) => void (await this.deliveries.push([memberId], offerNews(offer)))),
      this.conversationEvents.on('message.created', async ({ message, assigneeId }) => {
        if (message.author.type !== 'contact' || message.direction !== 'in') return;
        // The ingest says who holds the chat (no read on the hot path); a message announced again is looked up.
        const holder = assigneeId !== undefined ? assigneeId : (await this.db.conversation.findUnique({ where: { id: message.conversationId }, select: { assigneeId: true } }))?.assigneeId;
        if (holder) await this.deliveries.push([holder], messageNews(message));
      }),
      this.conversationEvents.on('message.updated', async ({ message }) => {
        // A trainee's draft decided: approval queues it, rejection ends it; later updates (sent, delivered) are not news.
        if (!message.review || message.author.type !== 'member' || !message.author.id) return;
        if (message.status !== 'queued' && message.status !== 'rejected') return;
        await this.deliveries.push([message.author.id], draftNews(message));
      }),
      this.salesEvents.on('sale.created', async ({ memberId, sale }) => void (await this.deliveries.push([memberId], saleNews(sale)))),
    );
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe) off();
  }
}

import type { Prisma, Tx } from '../common/database/database.js';
import type { Attachment, OutboundTemplate } from '../channels/index.js';
import { conversationInclude, preview } from './conversation.views.js';
import type { StoredProductCard } from './product-cards.js';
import type { ConversationRow } from './conversation.views.js';

/** A message about to leave the hub, as its writer gives it. */
export interface NewOutbound {
  /** Given when its files were stored under it before the write (an agent's reply with attachments). */
  id?: string;
  teamId: string;
  conversationId: string;
  channelId: string;
  body: string;
  template: OutboundTemplate | null;
  author: { type: 'member'; id: string } | { type: 'system' };
  createdAt: Date;
  /** The files it carries, as the row keeps them (already in storage under `id`). */
  attachments?: Attachment[];
  /** Product cards, with their tracked links' tokens (each gets its `product_links` row in the same write). */
  products?: StoredProductCard[];
}

/** What a conversation's view shows of its channel and contact (`conversationInclude`). */
export type ConversationShown = Pick<ConversationRow, 'channel' | 'contact'>;

export type Outbound =
  /**
   * A new message: queued for delivery, or (`held`) kept for a supervisor's approval with no delivery row yet.
   * `shown`: the conversation's channel and contact as the caller has just read them, for the conversation's view,
   * which is then not read again.
   */
  | { kind: 'new'; message: NewOutbound; held: boolean; shown?: ConversationShown }
  /** A trainee's draft that the caller has just decided as approved (its conditional update won). */
  | { kind: 'approved'; messageId: string };

/**
 * The one place that writes a message on its way out, inside the caller's transaction: the message, its delivery
 * row (the outbox's truth: committed together, a crash after this still sends it) and what the conversation shows.
 * The caller has asked `SendPolicy` first, and after the commit emits the events and schedules the delivery.
 *
 * The conversation: an agent's reply answers the customer and moves the chat up the list; a held draft moves it
 * up but answers nobody until approved, and its approval answers the customer unless they wrote again after the
 * draft. The hub's automatic replies leave it as it is (an away notice answers nobody).
 */
export async function enqueueOutbound(tx: Tx, outbound: Outbound) {
  if (outbound.kind === 'approved') {
    const message = await tx.message.findUniqueOrThrow({ where: { id: outbound.messageId } });
    const delivery = await tx.delivery.create({ data: { messageId: message.id } });
    await tx.conversation.updateMany({
      where: { id: message.conversationId, OR: [{ lastCustomerMessageAt: null }, { lastCustomerMessageAt: { lte: message.createdAt } }] },
      data: { unreplied: false },
    });
    const conversation = await tx.conversation.findUniqueOrThrow({ where: { id: message.conversationId }, include: conversationInclude });
    return { message, deliveryId: delivery.id, conversation };
  }
  const { message: input, held } = outbound;
  const message = await tx.message.create({
    data: {
      ...(input.id ? { id: input.id } : {}),
      teamId: input.teamId,
      conversationId: input.conversationId,
      channelId: input.channelId,
      direction: 'out',
      kind: input.attachments?.length && !input.body ? 'media' : 'text',
      body: input.body,
      ...(input.attachments?.length ? { attachments: input.attachments as unknown as Prisma.InputJsonArray } : {}),
      ...(input.template ? { template: input.template as unknown as Prisma.InputJsonObject } : {}),
      ...(input.products?.length ? { products: input.products as unknown as Prisma.InputJsonArray } : {}),
      authorType: input.author.type,
      authorId: input.author.type === 'member' ? input.author.id : null,
      status: held ? 'pending_approval' : 'queued',
      createdAt: input.createdAt,
    },
  });
  if (input.products?.length) {
    await tx.productLink.createMany({
      data: input.products.map((card, position) => ({
        token: card.token,
        teamId: input.teamId,
        conversationId: input.conversationId,
        messageId: message.id,
        position,
        productId: card.productId,
        targetUrl: card.url,
        // Sent when its message was, by the hub's clock: the reports compare it with a purchase's time.
        createdAt: input.createdAt,
      })),
    });
  }
  const delivery = held ? null : await tx.delivery.create({ data: { messageId: message.id } });
  if (input.author.type === 'system') return { message, deliveryId: delivery?.id ?? null, conversation: null };
  const where = { id: input.conversationId };
  const data = { lastMessageAt: input.createdAt, lastMessagePreview: preview(input.body || [...(input.attachments ?? []).map((a) => a.name), ...(input.products ?? []).map((p) => p.name)].join(', ')), ...(held ? {} : { unreplied: false }) };
  const conversation = outbound.shown
    ? { ...(await tx.conversation.update({ where, data })), channel: outbound.shown.channel, contact: outbound.shown.contact }
    : await tx.conversation.update({ where, data, include: conversationInclude });
  return { message, deliveryId: delivery?.id ?? null, conversation };
}

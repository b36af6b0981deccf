import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DATABASE, isUniqueViolation } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import type { ChannelAccount, ChannelAddress, InboundEvent, IngestOutcome, InboundSink, VisitorMessage } from '../channels/index.js';
import { ChannelInbound } from '../channels/index.js';
import { ContactsService } from '../contacts/index.js';
import { ConversationEvents } from './conversation.events.js';
import { conversationInclude, preview, toConversationView, toMessageView } from './conversation.views.js';

type InboundMessage = Extract<InboundEvent, { type: 'message' }>;
type InboundStatus = Extract<InboundEvent, { type: 'status' }>;

export const threadKeyOf = (address: Pick<ChannelAddress, 'kind' | 'address'>) => `${address.kind}:${address.address}`;
export const activeKeyOf = (channelId: string, threadKey: string) => `${channelId}:${threadKey}`;

/** Delivery statuses only move forward; a late or reordered callback never moves one back. */
const EARLIER_STATUSES: Record<InboundStatus['status'], ('queued' | 'sent' | 'delivered')[]> = {
  sent: ['queued'],
  delivered: ['queued', 'sent'],
  read: ['queued', 'sent', 'delivered'],
  failed: ['queued', 'sent'],
};

/** Turns channels' normalized events into contacts, conversations and messages (DESIGN.md, "Inbound path"). */
@Injectable()
export class IngestService implements InboundSink, OnModuleInit {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly contacts: ContactsService,
    private readonly events: ConversationEvents,
    private readonly inbound: ChannelInbound,
  ) {}

  onModuleInit(): void {
    this.inbound.connect(this);
  }

  async ingest(channel: ChannelAccount, events: InboundEvent[]): Promise<IngestOutcome[]> {
    const outcomes: IngestOutcome[] = [];
    // In order: a batch may carry a message and then its status.
    for (const event of events) {
      outcomes.push(event.type === 'message' ? await this.storeMessage(channel, event) : await this.applyStatus(channel, event));
    }
    return outcomes;
  }

  private async storeMessage(channel: ChannelAccount, event: InboundMessage): Promise<IngestOutcome> {
    const known = await this.knownMessage(channel.id, event.providerMessageId);
    if (known) return known;
    const contact = await this.contacts.resolveIdentity(channel.teamId, event.from);
    const threadKey = threadKeyOf(event.from);
    const activeKey = activeKeyOf(channel.id, threadKey);
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.db.$transaction(async (tx: Tx) => {
          let conversation = await tx.conversation.findUnique({ where: { activeKey } });
          const started = !conversation;
          if (!conversation) {
            conversation = await tx.conversation.create({
              data: { teamId: channel.teamId, channelId: channel.id, contactId: contact.id, threadKey, activeKey, status: 'waiting', lastMessageAt: event.occurredAt },
            });
          }
          const message = await tx.message.create({
            data: {
              teamId: channel.teamId,
              conversationId: conversation.id,
              channelId: channel.id,
              direction: 'in',
              kind: event.attachments.length > 0 && !event.body ? 'media' : 'text',
              body: event.body,
              attachments: event.attachments as object[],
              authorType: 'contact',
              authorId: contact.id,
              status: 'received',
              providerMessageId: event.providerMessageId,
              createdAt: event.occurredAt,
            },
          });
          const updated = await tx.conversation.update({
            where: { id: conversation.id },
            data: { lastMessageAt: event.occurredAt, lastCustomerMessageAt: event.occurredAt, lastMessagePreview: preview(event.body), unreplied: true },
            include: conversationInclude,
          });
          return { started, message, conversation: updated };
        });
        const conversation = toConversationView(result.conversation);
        if (result.started) this.events.emit('conversation.started', { teamId: channel.teamId, conversation });
        this.events.emit('message.created', { teamId: channel.teamId, message: toMessageView(result.message) });
        this.events.emit('conversation.updated', { teamId: channel.teamId, conversation });
        return { stored: true, conversationId: conversation.id, messageId: result.message.id };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Either the same provider message won a race (a concurrent redelivery: nothing new to store), or
        // another first message opened the conversation a moment earlier (try again, and join it).
        const duplicate = await this.knownMessage(channel.id, event.providerMessageId);
        if (duplicate) return duplicate;
        if (attempt >= 2) throw error;
      }
    }
  }

  private async knownMessage(channelId: string, providerMessageId: string): Promise<IngestOutcome | null> {
    const row = await this.db.message.findUnique({
      where: { channelId_providerMessageId: { channelId, providerMessageId } },
      select: { id: true, conversationId: true },
    });
    return row ? { stored: false, conversationId: row.conversationId, messageId: row.id } : null;
  }

  private async applyStatus(channel: ChannelAccount, event: InboundStatus): Promise<IngestOutcome> {
    const { count } = await this.db.message.updateMany({
      where: { channelId: channel.id, providerMessageId: event.providerMessageId, status: { in: EARLIER_STATUSES[event.status] } },
      data: { status: event.status, error: event.status === 'failed' ? (event.error ?? 'The provider could not deliver this message.') : null },
    });
    const row = await this.db.message.findUnique({ where: { channelId_providerMessageId: { channelId: channel.id, providerMessageId: event.providerMessageId } } });
    if (count > 0 && row) this.events.emit('message.updated', { teamId: channel.teamId, message: toMessageView(row) });
    return { stored: count > 0, conversationId: row?.conversationId, messageId: row?.id };
  }

  async visitorThread(channel: ChannelAccount, visitorId: string, afterSeq: string | null): Promise<{ conversationId: string | null; messages: VisitorMessage[] }> {
    const conversation = await this.db.conversation.findFirst({
      where: { channelId: channel.id, threadKey: threadKeyOf({ kind: 'visitor', address: visitorId }) },
      orderBy: { createdAt: 'desc' },
    });
    if (!conversation) return { conversationId: null, messages: [] };
    const rows = await this.db.message.findMany({
      // What the customer may see: never notes, never a trainee's unapproved draft, never a failed send.
      // Queued replies are included: one sent while the visitor was reconnecting reached nobody's socket, and
      // the widget drops a copy it already holds by id.
      where: {
        conversationId: conversation.id,
        kind: { in: ['text', 'media'] },
        status: { in: ['received', 'queued', 'sent', 'delivered', 'read'] },
        ...(afterSeq ? { seq: { gt: BigInt(afterSeq) } } : {}),
      },
      orderBy: { seq: 'desc' },
      take: 200,
    });
    const authors = await this.memberNames(rows.filter((r) => r.authorType === 'member').map((r) => r.authorId!));
    return {
      conversationId: conversation.status === 'resolved' ? null : conversation.id,
      messages: rows.reverse().map((row) => ({
        id: row.id,
        seq: row.seq.toString(),
        direction: row.direction,
        body: row.body,
        author: { type: row.authorType, name: row.authorType === 'member' ? (authors.get(row.authorId!) ?? null) : null },
        createdAt: row.createdAt.toISOString(),
      })),
    };
  }

  async customerTyping(channel: ChannelAccount, from: { kind: 'visitor'; address: string }, draft: string): Promise<void> {
    const conversation = await this.db.conversation.findUnique({ where: { activeKey: activeKeyOf(channel.id, threadKeyOf(from)) }, select: { id: true } });
    if (conversation) this.events.emit('customer.typing', { teamId: channel.teamId, conversationId: conversation.id, draft });
  }

  private async memberNames(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const members = await this.db.member.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true } });
    return new Map(members.map((m) => [m.id, m.name]));
  }
}

import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { DATABASE, DIRECT_SQL, Prisma, isUniqueViolation } from '../common/database/database.js';
import { TransactionGate } from '../common/database/transaction-gate.js';
import type { Db, DirectSql, Tx } from '../common/database/database.js';
import { EventLog } from '../common/events/event-log.js';
import { STORAGE } from '../common/storage/storage.js';
import type { Storage } from '../common/storage/storage.js';
import type { Attachment, ChannelAccount, InboundEvent, IngestOutcome, InboundSink } from '../channels/index.js';
import { ChannelInbound, REPLY_TOKEN_TTL_MS, ThreadKey } from '../channels/index.js';
import { ContactsService } from '../contacts/index.js';
import { ConsentKeywordHandler } from './consent-keywords.service.js';
import { ContactNamingJob } from './contact-naming.service.js';
import type { NamingRequest } from './contact-naming.service.js';
import { ConversationEvents } from './conversation.events.js';
import { MessageFollowUps } from './follow-ups.service.js';
import { givenSender, inboundMessageWrite, knownMessage } from './inbound.repository.js';
import type { InboundLoggedEvents, InboundMessageFields, InboundTouch, InboundWrite } from './inbound.repository.js';
import { ProviderEventApplier } from './provider-events.service.js';
import { activeKeyOf } from './conversation.views.js';
import { conversationInclude, preview, toConversationView, toMessageView } from './conversation.views.js';
import type { MessageView } from './conversation.views.js';

type InboundMessage = Extract<InboundEvent, { type: 'message' }>;

type PlacedContact = { id: string; name: string; blocked: boolean };

/** The conversation a reply names (an email's In-Reply-To), as the placement needs it. */
type ReplyThread = { threadKey: string; contact: PlacedContact };

/** Where a customer's message is stored: whose it is, who wrote it, and the thread it belongs to. */
export interface Placement {
  contact: PlacedContact;
  author: PlacedContact;
  threadKey: string;
  activeKey: string;
  /** The conversation it opens holds every reply until the visitor proves this claim's address. */
  awaitingClaimId?: string;
  /** Contacts made for it, for the provider to name once the message is stored. */
  naming?: NamingRequest[];
}

/**
 * The inbound sink: channels' normalized events, in order; a customer's message is written here (the hot path), the
 * provider's other events go to the ProviderEventApplier. Turns them into contacts, conversations and messages (docs/architecture.md, "The inbound path"). */
@Injectable()
export class IngestService implements InboundSink, OnModuleInit {
  private readonly gate: TransactionGate;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(DIRECT_SQL) private readonly sql: DirectSql,
    @Inject(HUB_CONFIG) config: HubConfig,
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly events: ConversationEvents,
    private readonly inbound: ChannelInbound,
    private readonly followUps: MessageFollowUps,
    private readonly providerEvents: ProviderEventApplier,
    private readonly keywords: ConsentKeywordHandler,
    private readonly naming: ContactNamingJob,
    private readonly contacts: ContactsService,
    private readonly eventLog: EventLog,
  ) {
    // PostgreSQL's pool (10) keeps two connections for the rest of the hub. The embedded database has one: a few
    // transactions wait in its pool beside the rest of the hub's queries (one alone would queue behind every
    // follow-up's query, once per message), and the gate turns a timeout there into the same 503.
    this.gate = new TransactionGate({ permits: config.databaseUrl ? 8 : 4, maxQueued: config.ingestQueue.limit, maxWaitMs: config.ingestQueue.waitMs });
  }

  onModuleInit(): void {
    this.inbound.connect(this);
  }

  async ingest(channel: ChannelAccount, events: InboundEvent[]): Promise<IngestOutcome[]> {
    const outcomes: IngestOutcome[] = [];
    // In order: a batch may carry a message and then its status, or a join and then the group's first message.
    for (const event of events) {
      outcomes.push(await this.apply(channel, event));
    }
    return outcomes;
  }

  private apply(channel: ChannelAccount, event: InboundEvent): Promise<IngestOutcome> {
    switch (event.type) {
      case 'message':
        return this.storeMessage(channel, event);
      case 'status':
        return this.providerEvents.applyStatus(channel, event);
      case 'contact':
        return this.providerEvents.recordContactEvent(channel, event);
      case 'group':
        return this.providerEvents.applyGroupEvent(channel, event);
      case 'unsend':
        return this.providerEvents.unsend(channel, event);
    }
  }

  private async storeMessage(channel: ChannelAccount, event: InboundMessage, given?: Placement): Promise<IngestOutcome> {
    // No look before the write: a redelivery is rare, and the unique key on (channel, event key) catches it.
    const kind = event.kind ?? (event.attachments.length > 0 && !event.body ? 'media' : 'text');
    // Files that came inside the webhook are stored first, under the id the message will have: a crash before the
    // row leaves an unreachable file, never a row pointing at nothing.
    const messageId = uuidv7();
    const attachments = await this.storeInlineFiles(channel.teamId, messageId, event.attachments);
    const dropFiles = () => (attachments !== event.attachments ? this.storage.remove(`${channel.teamId}/${messageId}`) : undefined);
    const keyword = authenticatesSender(channel, event) && !event.choice && (await this.keywords.isKeyword(channel.teamId, event.body));
    // Before the transaction: reopening the conversation a reply names may lose a race on its key, which would abort it.
    const joined = !given && event.inReplyTo ? await this.threadOf(channel, event.inReplyTo) : null;
    const touch = (threadKey: string, activeKey: string, awaitingClaimId: string | null): InboundTouch => ({
      teamId: channel.teamId,
      channelId: channel.id,
      threadKey,
      activeKey,
      awaitingClaimId,
      intake: event.intake ?? null,
      at: event.occurredAt,
      preview: preview(event.body || attachmentPreview(event)),
      // The token lives from the provider's event, not from our receipt: a redelivered token is stale.
      replyToken: event.replyToken ? { token: event.replyToken, expiresAt: new Date(event.occurredAt.getTime() + REPLY_TOKEN_TTL_MS) } : null,
    });
    const fields: InboundMessageFields = {
      id: messageId,
      kind,
      body: event.body,
      attachments,
      content: event.content ?? null,
      providerMessageId: event.providerMessageId ?? null,
      eventKey: event.eventKey,
      quoteToken: event.quoteToken ?? null,
      authorId: null,
      // What follows the message is written with it, so that a crash after the commit neither loses nor doubles it.
      followUp: {
        ...(keyword ? { consent: event.providerVerdict ? { providerVerdict: true } : {} } : {}),
        ...(event.attachments.some((a) => a.providerContentId && !a.url) ? { media: true as const } : {}),
      },
    };
    // The usual message, on the customer's own thread: one statement, no transaction, the contact made in it for an
    // address never seen (its naming riding on the message's marker).
    const direct = !given && !joined && !event.thread;
    const newContactId = uuidv7();
    const logged = await this.loggedEvents(channel);
    const namingIfMade = direct && !event.from.name ? this.naming.request(channel, newContactId, event.from, `name-${newContactId}`) : null;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.gate.run(async (maxWait) => {
          if (direct) {
            const threadKey = ThreadKey.of(event.from);
            const sender = await this.contacts.senderFoundOrMade(channel.teamId, event.from, newContactId);
            const write = inboundMessageWrite(sender, touch(threadKey, activeKeyOf(channel.id, threadKey), null), { ...fields, ...(namingIfMade ? { namingIfMade: [namingIfMade] } : {}) }, logged);
            const [written] = await this.sql.query<InboundWrite>(write, maxWait);
            if (written) return { blocked: false as const, written };
          }
          // One transaction from the sender to the message: the contact a first message makes commits with it or not at all.
          return this.db.$transaction(async (tx: Tx) => {
            const placement = given ?? (await this.place(tx, channel, event, joined));
            const { contact, author, naming } = placement;
            if (contact.blocked || author.blocked) return { blocked: true as const, outcome: await storeBlocked(tx, channel, event, placement, kind) };
            const [written] = await tx.$queryRaw<InboundWrite[]>(inboundMessageWrite(
              givenSender(contact),
              touch(placement.threadKey, placement.activeKey, placement.awaitingClaimId ?? null),
              { ...fields, authorId: author.id, followUp: { ...fields.followUp, ...(naming?.length ? { naming } : {}) } },
              logged,
            ));
            if (!written) throw new Error('the message was not written for a contact at hand');
            return { blocked: false as const, written };
          }, { maxWait });
        });
        if (result.blocked) {
          await dropFiles();
          return result.outcome;
        }
        const { written } = result;
        // The names it shows are at hand: no join on the hot path.
        const conversation = toConversationView({
          ...written,
          channel: { id: channel.id, type: channel.type, name: channel.name },
          contact: { id: written.contactId, name: written.contactName },
        });
        if (written.started) this.events.emit('conversation.started', { teamId: channel.teamId, conversation });
        this.events.emit('message.created', { teamId: channel.teamId, message: inboundMessageView(conversation.id, written, fields, event.occurredAt), provider: channel.provider, assigneeId: written.assigneeId });
        this.events.emit('conversation.updated', { teamId: channel.teamId, conversation });
        await this.eventLog.dispatch([
          ...(logged?.messageCreated ? [{ id: logged.messageCreated.id, pending: logged.messageCreated.consumers }] : []),
          ...(logged?.conversationCreated && written.started ? [{ id: logged.conversationCreated.id, pending: logged.conversationCreated.consumers }] : []),
        ]);
        await this.followUps.afterCommit(
          { messageId, teamId: channel.teamId, channelId: channel.id, conversationId: conversation.id, authorId: written.authorId, body: event.body, eventKey: event.eventKey, occurredAt: event.occurredAt },
          written.followUp ?? {},
        );
        return { stored: true, conversationId: conversation.id, messageId };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Either the same provider event won a race (a concurrent redelivery: nothing new to store), or
        // another first message opened the conversation a moment earlier (try again, and join it).
        const duplicate = await knownMessage(this.db, channel.id, event.eventKey);
        if (duplicate) {
          await dropFiles();
          if (duplicate.messageId) await this.announceAgain(channel, duplicate.messageId);
          return duplicate;
        }
        if (attempt >= 2) throw error;
      }
    }
  }

  /** The message's logged events, for the consumers listening to them in its team (cached: no statement). */
  private async loggedEvents(channel: ChannelAccount): Promise<InboundLoggedEvents | undefined> {
    const [created, message] = await Promise.all([this.eventLog.consumersOf(channel.teamId, 'conversation.created'), this.eventLog.consumersOf(channel.teamId, 'message.created')]);
    if (created.length === 0 && message.length === 0) return undefined;
    return {
      insertSql: (select) => this.eventLog.insertSql(select),
      channelType: channel.type,
      conversationCreated: created.length > 0 ? { id: uuidv7(), consumers: created } : null,
      messageCreated: message.length > 0 ? { id: uuidv7(), consumers: message } : null,
    };
  }

  /**
   * A provider redelivers an event when it never heard our answer: the hub that stored the message may have stopped
   * between its commit and telling the agents' devices. So it is told again, as stored; devices show a message once
   * by its id, and what listens to messages takes one twice as once.
   */
  private async announceAgain(channel: ChannelAccount, messageId: string): Promise<void> {
    const message = await this.db.message.findUnique({ where: { id: messageId } });
    if (message) this.events.emit('message.created', { teamId: channel.teamId, message: toMessageView(message), provider: channel.provider });
  }

  /** Where a provider's message goes: its sender's contact and thread, or the conversation it says it answers. */
  private async place(tx: Tx, channel: ChannelAccount, event: InboundMessage, joined: ReplyThread | null): Promise<Placement> {
    // In a group the conversation belongs to the group; each message is authored by whoever wrote it.
    const counterpart = event.thread ?? event.from;
    const naming: NamingRequest[] = [];
    const sender = await this.naming.resolve(channel, counterpart, naming, tx);
    // A reply that names its conversation (an email's In-Reply-To, References or plus address) joins it, even from
    // another address of the customer's; that conversation's customer stays its contact.
        const contact = joined && joined.contact.id !== sender.id ? joined.contact : sender;
    const author = event.thread && ThreadKey.of(event.from) !== ThreadKey.of(event.thread) ? await this.naming.resolve(channel, event.from, naming, tx) : sender;
    const threadKey = joined?.threadKey ?? ThreadKey.of(counterpart);
    return { contact, author, threadKey, activeKey: activeKeyOf(channel.id, threadKey), naming };
  }

  /**
   * A message that did not come from the channel's provider but from the widget's message form, placed by the
   * caller: its contact is the visitor's own, never whoever holds the address typed. No consent keyword counts.
   */
  async storePlaced(channel: ChannelAccount, event: InboundMessage, placement: Placement): Promise<IngestOutcome> {
    return this.storeMessage(channel, { ...event, senderAuthenticated: false }, placement);
  }

  /**
   * The conversation a reply names, on this channel only (so never another team's): by the token of our plus
   * address, else by the newest message it cites, ours or the customer's. A resolved one is reopened, unless the
   * customer has a newer live conversation on this channel, which the reply then joins like any other message.
   */
  private async threadOf(channel: ChannelAccount, reference: NonNullable<InboundMessage['inReplyTo']>) {
    const select = { id: true, threadKey: true, activeKey: true, assigneeId: true, contact: { select: { id: true, name: true, blocked: true } } } as const;
    let conversation = reference.conversationId
      ? await this.db.conversation.findFirst({ where: { id: reference.conversationId, channelId: channel.id }, select })
      : null;
    if (!conversation && (reference.messageIds.length > 0 || reference.providerMessageIds.length > 0)) {
      const cited = await this.db.message.findFirst({
        where: {
          channelId: channel.id,
          OR: [
            ...(reference.messageIds.length > 0 ? [{ id: { in: reference.messageIds }, direction: 'out' as const }] : []),
            ...(reference.providerMessageIds.length > 0 ? [{ providerMessageId: { in: reference.providerMessageIds }, direction: 'in' as const }] : []),
          ],
        },
        orderBy: { seq: 'desc' },
        select: { conversation: { select } },
      });
      conversation = cited?.conversation ?? null;
    }
    if (!conversation || conversation.activeKey) return conversation;
    const activeKey = activeKeyOf(channel.id, conversation.threadKey);
    try {
      const { count } = await this.db.conversation.updateMany({
        where: { id: conversation.id, status: 'resolved' },
        data: { status: conversation.assigneeId ? 'open' : 'waiting', activeKey, resolvedAt: null },
      });
      if (count === 1) {
        const reopened = await this.db.conversation.findUniqueOrThrow({ where: { id: conversation.id }, include: conversationInclude });
        this.events.emit('conversation.updated', { teamId: channel.teamId, conversation: toConversationView(reopened) });
      }
    } catch (error) {
      // The customer's newer conversation holds the key: the reply goes there.
      if (!isUniqueViolation(error)) throw error;
    }
    return conversation;
  }

  /** Files a webhook carried in itself (email attachments), put in storage; the rows keep where to fetch them. */
  private async storeInlineFiles(teamId: string, messageId: string, attachments: Attachment[]): Promise<Attachment[]> {
    if (!attachments.some((a) => a.data)) return attachments;
    const stored: Attachment[] = [];
    for (const [index, { data, ...attachment }] of attachments.entries()) {
      if (!data) {
        stored.push(attachment);
        continue;
      }
      await this.storage.put(`${teamId}/${messageId}/${index}`, data);
      stored.push({ ...attachment, url: `/api/messages/${messageId}/attachments/${index}`, size: data.length });
    }
    return stored;
  }

}

/**
 * Consent keywords count only where the channel vouches for who wrote: SMS and WhatsApp (the carrier's and Meta's
 * number) and email whose DKIM or SPF pass is aligned with its From. LINE vouches too, but its consent is the follow
 * state its own events report. A web form or the widget never changes consent: anybody can type anybody's address.
 */
function authenticatesSender(channel: ChannelAccount, event: InboundMessage): boolean {
  if (channel.type === 'sms' || channel.type === 'whatsapp') return true;
  return channel.type === 'email' && event.senderAuthenticated === true;
}

/** A line for the conversation list when a message has no text (a photo, a sticker). */
function attachmentPreview(event: InboundMessage): string {
  const first = event.attachments[0];
  if (!first) return '';
  const type = first.meta?.type;
  if (type === 'sticker') return '[スタンプ]';
  if (type === 'location') return '[位置情報]';
  if (first.contentType?.startsWith('image/')) return '[画像]';
  if (first.contentType?.startsWith('video/')) return '[動画]';
  if (first.contentType?.startsWith('audio/')) return '[音声]';
  return `[ファイル${first.name ? ` ${first.name}` : ''}]`;
}

/**
 * A blocked contact's message is kept for audit and nothing else: no conversation update, no event, no routing, no
 * consent keyword, and not their files, only that they sent some. The contact is never told.
 */
async function storeBlocked(tx: Tx, channel: ChannelAccount, event: InboundMessage, placement: Placement, kind: 'text' | 'media' | 'event'): Promise<IngestOutcome> {
  const { activeKey, threadKey } = placement;
  const conversation =
    (await tx.conversation.findUnique({ where: { activeKey } })) ??
    (await tx.conversation.create({ data: { teamId: channel.teamId, channelId: channel.id, contactId: placement.contact.id, threadKey, activeKey, status: 'waiting', lastMessageAt: event.occurredAt } }));
  const attachments = event.attachments.map(({ data: _data, ...attachment }) => attachment);
  const message = await tx.message.create({ data: { ...inboundMessageData(channel, conversation.id, placement.author.id, { ...event, attachments }, kind), blocked: true } });
  return { stored: true, conversationId: message.conversationId, messageId: message.id };
}

/** The agents' view of a message `writeInboundMessage` stored: its fields are at hand, the statement gave its place. */
function inboundMessageView(conversationId: string, written: InboundWrite, fields: InboundMessageFields, at: Date): MessageView {
  return {
    id: fields.id,
    conversationId,
    seq: written.seq.toString(),
    direction: 'in',
    kind: fields.kind,
    body: fields.body,
    attachments: fields.attachments as MessageView['attachments'],
    content: fields.content as MessageView['content'],
    author: { type: 'contact', id: written.authorId },
    status: 'received',
    error: null,
    errorCode: null,
    errorDetails: null,
    review: null,
    unsent: false,
    template: null,
    createdAt: at.toISOString(),
  };
}

/** The row of a message a customer sent, blocked or not. */
function inboundMessageData(channel: ChannelAccount, conversationId: string, authorId: string, event: InboundMessage, kind: 'text' | 'media' | 'event') {
  return {
    teamId: channel.teamId,
    conversationId,
    channelId: channel.id,
    direction: 'in' as const,
    kind,
    body: event.body,
    attachments: event.attachments as unknown as Prisma.InputJsonArray,
    ...(event.content ? { content: event.content as Prisma.InputJsonObject } : {}),
    authorType: 'contact' as const,
    authorId,
    status: 'received' as const,
    providerMessageId: event.providerMessageId,
    eventKey: event.eventKey,
    quoteToken: event.quoteToken ?? null,
    createdAt: event.occurredAt,
  };
}

import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { IdentityKind } from '../common/channel-types.js';
import { DATABASE, Prisma, isUniqueViolation } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { STORAGE } from '../common/storage/storage.js';
import type { Storage } from '../common/storage/storage.js';
import type { Attachment, ChannelAccount, ChannelAddress, InboundEvent, IngestOutcome, InboundSink, LeftMessage, ProofSent, VisitorMessage, VisitorPage } from '../channels/index.js';
import { ChannelInbound, ChannelRegistry, ChannelsService, REPLY_TOKEN_TTL_MS, ThreadKey } from '../channels/index.js';
import { readTeamSettings } from '../teams/index.js';
import { ConsentService, ContactsService, InvitationService, consentKeyword } from '../contacts/index.js';
import type { ConsentChannel } from '../contacts/index.js';
import { ConversationEvents } from './conversation.events.js';
import { MediaService } from './media.service.js';
import { OutboxService, optedOutReason } from './outbox.service.js';
import { ConversationsService } from './conversations.service.js';
import { VisitorClaimsService } from './visitor-claims.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import { EARLIER_STATUSES } from './message-status.js';
import { activeKeyOf } from './conversation.views.js';
import { conversationInclude, preview, toConversationView, toMessageView } from './conversation.views.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';

type InboundMessage = Extract<InboundEvent, { type: 'message' }>;
type InboundStatus = Extract<InboundEvent, { type: 'status' }>;
type InboundContactEvent = Extract<InboundEvent, { type: 'contact' }>;
type InboundGroupEvent = Extract<InboundEvent, { type: 'group' }>;
type InboundUnsend = Extract<InboundEvent, { type: 'unsend' }>;


const NAME_CONTACT = 'conversations.name-contact';

type PlacedContact = { id: string; name: string; blocked: boolean };

/** Where a customer's message is stored: whose it is, who wrote it, and the thread it belongs to. */
export interface Placement {
  contact: PlacedContact;
  author: PlacedContact;
  threadKey: string;
  activeKey: string;
  /** The conversation it opens holds every reply until the visitor proves this claim's address. */
  awaitingClaimId?: string;
}

interface NameContactJob {
  channelId: string;
  contactId: string;
  kind: IdentityKind;
  address: string;
}

interface ConsentSettings {
  teamName: string;
  keywords: Parameters<typeof consentKeyword>[1];
  replies: { help: string; optOut: string | null; optIn: string | null };
}

/** The team's answers to keywords (settings.consentReplies); null switches one off. */
const DEFAULT_CONSENT_REPLIES: ConsentSettings['replies'] = {
  help: '{team.name}です。配信停止は「STOP」、再開は「START」とご返信ください。',
  optOut: '{team.name}からの配信を停止しました。再開するには「START」とご返信ください。',
  optIn: '{team.name}からの配信を再開しました。停止するには「STOP」とご返信ください。',
};

// The keywords Twilio itself answers on long codes and toll-free numbers (its default opt-out handling).
const TWILIO_ANSWERED = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'START', 'YES', 'UNSTOP']);

const fill = (template: string, teamName: string) => template.replaceAll('{team.name}', teamName);

const MEMBER_CHANGE_TEXT: Record<InboundGroupEvent['kind'], string> = {
  joined: 'joined',
  left: 'left',
  member_joined: 'メンバーが参加しました',
  member_left: 'メンバーが退出しました',
};

/** Turns channels' normalized events into contacts, conversations and messages (docs/architecture.md, "The inbound path"). */
@Injectable()
export class IngestService implements InboundSink, OnModuleInit {
  private readonly consentSettings = new Map<string, { settings: ConsentSettings; until: number }>();

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly contacts: ContactsService,
    private readonly channels: ChannelsService,
    private readonly registry: ChannelRegistry,
    private readonly events: ConversationEvents,
    private readonly inbound: ChannelInbound,
    private readonly media: MediaService,
    private readonly consent: ConsentService,
    private readonly outbox: OutboxService,
    private readonly invitations: InvitationService,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly replies: ConversationsService,
    private readonly claims: VisitorClaimsService,
  ) {}

  onModuleInit(): void {
    this.inbound.connect(this);
    this.jobs.register<NameContactJob>(NAME_CONTACT, (job) => this.nameContact(job), { concurrency: 2 });
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
        return this.applyStatus(channel, event);
      case 'contact':
        return this.recordContactEvent(channel, event);
      case 'group':
        return this.applyGroupEvent(channel, event);
      case 'unsend':
        return this.unsend(channel, event);
    }
  }

  private async storeMessage(channel: ChannelAccount, event: InboundMessage, placement?: Placement): Promise<IngestOutcome> {
    // No look before the write: a redelivery is rare, and the unique key on (channel, event key) catches it.
    const { contact, author, threadKey, activeKey } = placement ?? (await this.place(channel, event));
    const kind = event.kind ?? (event.attachments.length > 0 && !event.body ? 'media' : 'text');
    if (contact.blocked || author.blocked) return this.storeBlocked(channel, event, contact.id, author.id, threadKey, activeKey, kind);
    // Files that came inside the webhook are stored first, under the id the message will have: a crash before the
    // row leaves an unreachable file, never a row pointing at nothing.
    const messageId = uuidv7();
    const attachments = await this.storeInlineFiles(channel.teamId, messageId, event.attachments);
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.db.$transaction(async (tx: Tx) => {
          let conversation = await tx.conversation.findUnique({ where: { activeKey } });
          const started = !conversation;
          if (!conversation) {
            conversation = await tx.conversation.create({
              data: {
                teamId: channel.teamId,
                channelId: channel.id,
                contactId: contact.id,
                threadKey,
                activeKey,
                status: 'waiting',
                lastMessageAt: event.occurredAt,
                awaitingClaimId: placement?.awaitingClaimId ?? null,
              },
            });
          }
          const message = await tx.message.create({ data: { ...inboundMessageData(channel, conversation.id, author.id, { ...event, attachments }, kind), id: messageId } });
          const updated = await tx.conversation.update({
            where: { id: conversation.id },
            data: {
              lastMessageAt: event.occurredAt,
              lastCustomerMessageAt: event.occurredAt,
              lastMessagePreview: preview(event.body || attachmentPreview(event)),
              unreplied: true,
              // The token lives from the provider's event, not from our receipt: a redelivered token is stale.
              ...(event.replyToken ? { replyToken: event.replyToken, replyTokenExpiresAt: new Date(event.occurredAt.getTime() + REPLY_TOKEN_TTL_MS) } : {}),
            },
          });
          return { started, message, conversation: updated };
        });
        // The names it shows are at hand: no join on the hot path.
        const conversation = toConversationView({
          ...result.conversation,
          channel: { id: channel.id, type: channel.type, name: channel.name },
          contact: { id: contact.id, name: contact.name },
        });
        if (result.started) this.events.emit('conversation.started', { teamId: channel.teamId, conversation });
        this.events.emit('message.created', { teamId: channel.teamId, message: toMessageView(result.message) });
        this.events.emit('conversation.updated', { teamId: channel.teamId, conversation });
        if (event.attachments.some((a) => a.providerContentId && !a.url)) await this.media.queueFetch(result.message.id);
        if (authenticatesSender(channel, event) && !event.choice) {
          await this.applyKeyword(channel, author.id, event, result.message.id, conversation.id);
        }
        return { stored: true, conversationId: conversation.id, messageId: result.message.id };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Either the same provider event won a race (a concurrent redelivery: nothing new to store), or
        // another first message opened the conversation a moment earlier (try again, and join it).
        const duplicate = await this.knownMessage(channel.id, event.eventKey);
        if (duplicate) {
          if (attachments !== event.attachments) await this.storage.remove(`${channel.teamId}/${messageId}`);
          return duplicate;
        }
        if (attempt >= 2) throw error;
      }
    }
  }

  /** Where a provider's message goes: its sender's contact and thread, or the conversation it says it answers. */
  private async place(channel: ChannelAccount, event: InboundMessage): Promise<Placement> {
    // In a group the conversation belongs to the group; each message is authored by whoever wrote it.
    const counterpart = event.thread ?? event.from;
    const sender = await this.resolveContact(channel, counterpart);
    // A reply that names its conversation (an email's In-Reply-To, References or plus address) joins it, even from
    // another address of the customer's; that conversation's customer stays its contact.
    const joined = event.inReplyTo ? await this.threadOf(channel, event.inReplyTo) : null;
    const contact = joined && joined.contact.id !== sender.id ? joined.contact : sender;
    const author = event.thread && ThreadKey.of(event.from) !== ThreadKey.of(event.thread) ? await this.resolveContact(channel, event.from) : sender;
    const threadKey = joined?.threadKey ?? ThreadKey.of(counterpart);
    return { contact, author, threadKey, activeKey: activeKeyOf(channel.id, threadKey) };
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

  /**
   * A blocked contact's message is kept for audit and nothing else: no conversation update, no event, no
   * routing, no consent keyword. The contact is never told.
   */
  private async storeBlocked(channel: ChannelAccount, event: InboundMessage, contactId: string, authorId: string, threadKey: string, activeKey: string, kind: 'text' | 'media' | 'event') {
    try {
      const message = await this.db.$transaction(async (tx: Tx) => {
        const conversation =
          (await tx.conversation.findUnique({ where: { activeKey } })) ??
          (await tx.conversation.create({ data: { teamId: channel.teamId, channelId: channel.id, contactId, threadKey, activeKey, status: 'waiting', lastMessageAt: event.occurredAt } }));
        // A blocked sender's files are not kept, only that they sent some.
        const attachments = event.attachments.map(({ data: _data, ...attachment }) => attachment);
        return tx.message.create({ data: { ...inboundMessageData(channel, conversation.id, authorId, { ...event, attachments }, kind), blocked: true } });
      });
      return { stored: true, conversationId: message.conversationId, messageId: message.id };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return (await this.knownMessage(channel.id, event.eventKey)) ?? { stored: false };
    }
  }

  /** What a web visitor says about themselves: a name, and addresses that stay claims until proved (VisitorClaimsService). */
  async identifyVisitor(channel: ChannelAccount, visitorId: string, details: { name?: string; email?: string; phone?: string }, clientAddress: string): Promise<{ contactId: string; proof: ProofSent | null }> {
    return this.claims.identify(channel, { visitorId, clientAddress }, details);
  }

  async proveVisitor(channel: ChannelAccount, visitorId: string, code: string): Promise<{ kind: 'email' | 'phone' }> {
    return this.claims.prove(channel, visitorId, code);
  }

  /**
   * The widget's message form. With an email channel, what the visitor wrote opens an email conversation with the
   * address they typed, so that the answer goes by mail; but the conversation is their own contact's (never the
   * address's holder), and it holds every reply until they enter the code sent to the address. An address they
   * proved before is theirs: the message arrives as a mail from it. Without an email channel it stays in the chat.
   */
  async leaveMessage(channel: ChannelAccount, visitorId: string, form: LeftMessage, clientAddress: string): Promise<{ conversationId: string; channelType: 'email' | 'webchat'; proof: ProofSent | null }> {
    const { contact, claim, proofMode } = await this.claims.claimForForm(channel, visitorId, form.email, form.name);
    const emailChannel = await this.db.channel.findFirst({ where: { teamId: channel.teamId, type: 'email', active: true }, orderBy: { createdAt: 'asc' }, select: { id: true } });
    const target = emailChannel ? await this.channels.account(emailChannel.id) : null;
    const key = `form:${visitorId}:${form.clientId ?? createHash('sha256').update(form.body).digest('hex').slice(0, 32)}`;
    const event = (from: ChannelAddress): InboundMessage => ({ type: 'message', eventKey: key, providerMessageId: key, from, body: form.body, attachments: [], occurredAt: this.clock.now() });
    let outcome: IngestOutcome;
    if (target && claim.provedAt) {
      [outcome] = await this.ingest(target, [event({ kind: 'email', address: claim.address, name: form.name })]);
    } else if (target) {
      const threadKey = ThreadKey.of({ kind: 'email', address: claim.address });
      outcome = await this.storePlaced(target, event({ kind: 'email', address: claim.address }), {
        contact,
        author: contact,
        threadKey,
        // The visitor's own thread with that address: never the live conversation of whoever holds it.
        activeKey: activeKeyOf(target.id, `form:${visitorId}:${threadKey}`),
        awaitingClaimId: claim.id,
      });
    } else {
      [outcome] = await this.ingest(channel, [event({ kind: 'visitor', address: visitorId })]);
    }
    if (!outcome.conversationId) throw new DomainError('forbidden', 'chat_unavailable', 'Chat is not available right now.');
    // A resend after a lost ack stores nothing new and sends no second code.
    const wantsProof = !claim.provedAt && outcome.stored && (target !== null || proofMode === 'code');
    // Proved between the claim's read and the conversation's insert: the proof's release may have missed this one.
    if (target && !claim.provedAt) await this.claims.releaseIfProved(claim.id);
    const proof = wantsProof ? await this.claims.sendCode(channel, { visitorId, clientAddress }, claim) : null;
    return { conversationId: outcome.conversationId, channelType: target ? 'email' : 'webchat', proof };
  }

  /** A blocked visitor's widget stays closed (they are told only that chat is unavailable). */
  async isBlocked(channel: ChannelAccount, address: ChannelAddress): Promise<boolean> {
    return (await this.contacts.findByIdentity(channel.teamId, address.kind, address.address))?.blocked ?? false;
  }

  /**
   * STOP, START and their kin by SMS or WhatsApp. The key is the message's own plus `:consent`, the same key the
   * Twilio normalizer gives Advanced Opt-Out's verdict, so whichever comes first is the one recorded.
   */
  private async applyKeyword(channel: ChannelAccount, contactId: string, event: InboundMessage, messageId: string, conversationId: string): Promise<void> {
    const settings = await this.teamConsentSettings(channel.teamId);
    const match = consentKeyword(event.body, settings.keywords);
    if (!match) return;
    if (match.kind === 'help') {
      await this.replies.systemReply(conversationId, fill(settings.replies.help, settings.teamName), 'confirmation');
      return;
    }
    // A YES that answers an invitation names it as the evidence, and closes it.
    const invitationId = match.kind === 'opt_in' ? await this.invitations.pending(contactId, channel.type as ConsentChannel) : null;
    const { stored, changed } = await this.consent.record({
      teamId: channel.teamId,
      contactId,
      channelId: channel.id,
      channelType: channel.type,
      eventKey: `${event.eventKey}:consent`,
      kind: match.kind,
      detail: { source: 'keyword', keyword: match.keyword, messageId, ...(invitationId ? { invitationId } : {}) },
      occurredAt: event.occurredAt,
    });
    if (stored && invitationId) await this.invitations.markConfirmed(invitationId);
    // At most one confirmation: Twilio answers its own English keywords on SMS numbers, and Advanced Opt-Out
    // answers whatever it judged; we answer the rest (Japanese keywords, WhatsApp).
    const providerAnswered = channel.provider === 'twilio' && (event.providerVerdict || (channel.type === 'sms' && TWILIO_ANSWERED.has(match.keyword)));
    const reply = match.kind === 'opt_out' ? settings.replies.optOut : settings.replies.optIn;
    if (changed && reply && !providerAnswered) await this.replies.systemReply(conversationId, fill(reply, settings.teamName), 'confirmation');
    if (stored && match.kind === 'opt_out') await this.outbox.cancelQueued(contactId, channel.type, optedOutReason(channel.type));
  }

  /** Read on every SMS, changed rarely: kept half a minute. */
  private async teamConsentSettings(teamId: string): Promise<ConsentSettings> {
    const cached = this.consentSettings.get(teamId);
    // Wall time, not the hub's clock: a cache's age bounds how long another process's change goes unseen.
    if (cached && cached.until > Date.now()) return cached.settings;
    const team = await this.db.team.findUnique({ where: { id: teamId }, select: { name: true, settings: true } });
    const stored = readTeamSettings(team?.settings);
    const settings: ConsentSettings = {
      teamName: team?.name ?? '',
      keywords: stored.consentKeywords,
      replies: { ...DEFAULT_CONSENT_REPLIES, ...stored.consentReplies },
    };
    this.consentSettings.set(teamId, { settings, until: Date.now() + 30_000 });
    return settings;
  }

  /** The contact behind an address; a new one learns its name from the provider's profile in a job. */
  private async resolveContact(channel: ChannelAccount, address: ChannelAddress) {
    const contact = await this.contacts.resolveIdentity(channel.teamId, address);
    if (contact.created && !address.name) await this.queueNaming(channel, contact.id, address, `name-${contact.id}`);
    return contact;
  }

  private async queueNaming(channel: ChannelAccount, contactId: string, address: ChannelAddress, jobId: string): Promise<void> {
    // Only a provider that can be asked names its contacts later (LINE's profiles); the others name them in the message or not at all.
    if (!this.registry.get(channel.provider).displayName) return;
    await this.jobs.add<NameContactJob>(
      NAME_CONTACT,
      { channelId: channel.id, contactId, kind: address.kind, address: address.address },
      { jobId, attempts: 5, backoffMs: 5_000 },
    );
  }

  /** Fetched once, when the contact is made; an agent's rename is never overwritten. */
  private async nameContact(job: NameContactJob): Promise<void> {
    const channel = await this.channels.account(job.channelId);
    if (!channel) return;
    const name = await this.registry.get(channel.provider).displayName?.(channel, { kind: job.kind, address: job.address });
    if (!name) return;
    await this.contacts.nameFromProvider(job.contactId, job.kind, job.address, name);
    // The contact may be a group the bot is in: the channel's group list shows the same name (a customer's matches no group).
    await this.channels.nameGroup(channel.id, job.address, name);
  }

  private async knownMessage(channelId: string, eventKey: string): Promise<IngestOutcome | null> {
    const row = await this.db.message.findUnique({
      where: { channelId_eventKey: { channelId, eventKey } },
      select: { id: true, conversationId: true },
    });
    return row ? { stored: false, conversationId: row.conversationId, messageId: row.id } : null;
  }

  private async applyStatus(channel: ChannelAccount, event: InboundStatus): Promise<IngestOutcome> {
    const error = event.status === 'failed' ? (event.error ?? 'The provider could not deliver this message.') : null;
    const { count } = await this.db.message.updateMany({
      where: { channelId: channel.id, providerMessageId: event.providerMessageId, direction: 'out', status: { in: EARLIER_STATUSES[event.status] } },
      data: { status: event.status, error },
    });
    if (count === 0) {
      const known = await this.db.message.findFirst({ where: { channelId: channel.id, providerMessageId: event.providerMessageId }, select: { id: true } });
      // Not ours yet: the send that will learn this id has not returned. Keep the report for it.
      if (!known) {
        await this.db.earlyStatus.createMany({
          data: [{ channelId: channel.id, providerMessageId: event.providerMessageId, status: event.status, error, occurredAt: event.occurredAt }],
          skipDuplicates: true,
        });
      }
      return { stored: false };
    }
    const rows = await this.db.message.findMany({ where: { channelId: channel.id, providerMessageId: event.providerMessageId, direction: 'out' } });
    for (const row of rows) this.events.emit('message.updated', { teamId: channel.teamId, message: toMessageView(row) });
    return { stored: true, conversationId: rows[0]?.conversationId, messageId: rows[0]?.id };
  }

  private async recordContactEvent(channel: ChannelAccount, event: InboundContactEvent): Promise<IngestOutcome> {
    const contact = await this.resolveContact(channel, event.from);
    const { stored } = await this.consent.record({
      teamId: channel.teamId,
      contactId: contact.id,
      channelId: channel.id,
      channelType: channel.type,
      eventKey: event.eventKey,
      kind: event.kind,
      detail: { source: 'provider', ...event.detail },
      occurredAt: event.occurredAt,
    });
    if (stored && (event.kind === 'opt_out' || event.kind === 'unfollow')) await this.outbox.cancelQueued(contact.id, channel.type, optedOutReason(channel.type));
    return { stored };
  }

  private async applyGroupEvent(channel: ChannelAccount, event: InboundGroupEvent): Promise<IngestOutcome> {
    if (event.kind === 'joined' || event.kind === 'left') {
      await this.channels.recordGroup(channel, event.group.address, event.kind, event.occurredAt);
      if (event.kind === 'joined') {
        // Each join learns the group's name again: it may have been renamed while the bot was out.
        const contact = await this.contacts.resolveIdentity(channel.teamId, event.group);
        await this.queueNaming(channel, contact.id, event.group, `name-${event.eventKey}`);
      }
      return { stored: true };
    }
    // People coming and going show in the group's open conversation, if there is one; they open none.
    const conversation = await this.db.conversation.findUnique({ where: { activeKey: activeKeyOf(channel.id, ThreadKey.of(event.group)) } });
    if (!conversation) return { stored: false };
    const known = await this.knownMessage(channel.id, event.eventKey);
    if (known) return known;
    try {
      const message = await this.db.message.create({
        data: {
          teamId: channel.teamId,
          conversationId: conversation.id,
          channelId: channel.id,
          direction: 'in',
          kind: 'event',
          body: MEMBER_CHANGE_TEXT[event.kind],
          attachments: [{ meta: { type: event.kind, members: event.members.map((m) => m.address) } }],
          authorType: 'system',
          status: 'received',
          eventKey: event.eventKey,
          createdAt: event.occurredAt,
        },
      });
      this.events.emit('message.created', { teamId: channel.teamId, message: toMessageView(message) });
      return { stored: true, conversationId: conversation.id, messageId: message.id };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return (await this.knownMessage(channel.id, event.eventKey)) ?? { stored: false };
    }
  }

  /** The customer took a message back: its text and media are no longer shown to anyone. */
  private async unsend(channel: ChannelAccount, event: InboundUnsend): Promise<IngestOutcome> {
    const where = { channelId: channel.id, providerMessageId: event.providerMessageId, direction: 'in' as const, unsentAt: null };
    const { count } = await this.db.message.updateMany({ where, data: { unsentAt: event.occurredAt, body: '', attachments: [] } });
    if (count === 0) return { stored: false };
    const rows = await this.db.message.findMany({ where: { channelId: channel.id, providerMessageId: event.providerMessageId, direction: 'in' } });
    for (const row of rows) this.events.emit('message.updated', { teamId: channel.teamId, message: toMessageView(row) });
    return { stored: true, conversationId: rows[0]?.conversationId, messageId: rows[0]?.id };
  }

  /** A web chat visitor's latest conversation on the channel (resolved or not): what their widget shows. */
  private latestVisitorConversation(channel: ChannelAccount, visitorId: string) {
    return this.db.conversation.findFirst({
      where: { channelId: channel.id, threadKey: ThreadKey.ofVisitor(visitorId) },
      orderBy: { createdAt: 'desc' },
      select: { id: true, status: true },
    });
  }

  async visitorThread(channel: ChannelAccount, visitorId: string, afterSeq: string | null): Promise<{ conversationId: string | null; messages: VisitorMessage[] }> {
    const conversation = await this.latestVisitorConversation(channel, visitorId);
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

  async rateVisitorConversation(channel: ChannelAccount, visitorId: string, rating: { score: number; comment?: string }): Promise<{ conversationId: string | null }> {
    const conversation = await this.latestVisitorConversation(channel, visitorId);
    if (!conversation) return { conversationId: null };
    await this.replies.recordRating(channel.teamId, conversation.id, rating);
    return { conversationId: conversation.id };
  }

  async visitorPage(channel: ChannelAccount, visitorId: string, page: VisitorPage, at: Date): Promise<void> {
    await this.db.visitorPage.create({ data: { teamId: channel.teamId, channelId: channel.id, visitorId, url: page.url, title: page.title ?? null, seenAt: at } });
  }

  /** The widget's "send me this chat by email": the visitor's latest conversation, to an address they gave. */
  async visitorTranscript(channel: ChannelAccount, visitorId: string, email: string, clientAddress: string): Promise<{ email: string }> {
    const conversation = await this.latestVisitorConversation(channel, visitorId);
    if (!conversation) throw new DomainError('conflict', 'no_conversation', 'There is no chat to send yet.');
    return this.claims.transcript(channel, { visitorId, clientAddress }, conversation.id, email);
  }

  async customerTyping(channel: ChannelAccount, from: { kind: 'visitor'; address: string }, draft: string): Promise<void> {
    const conversation = await this.db.conversation.findUnique({ where: { activeKey: activeKeyOf(channel.id, ThreadKey.of(from)) }, select: { id: true } });
    if (conversation) this.events.emit('customer.typing', { teamId: channel.teamId, conversationId: conversation.id, draft });
  }

  private async memberNames(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const members = await this.db.member.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true } });
    return new Map(members.map((m) => [m.id, m.name]));
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

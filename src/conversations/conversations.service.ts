import type { ErrorCode } from '../common/errors/error-codes.js';
import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { DATABASE, Prisma, isUniqueViolation } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import type { Page } from '../common/http/validation.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../common/http/keyset-cursor.js';
import type { OutboundTemplate, ProductCard, TemplateChoice } from '../channels/index.js';
import { ChannelRegistry, ChannelsService, ThreadKey } from '../channels/index.js';
import { logger } from '../common/logging/logger.js';
import type { AuthMember } from '../teams/index.js';
import { hasRole, readTeamSettings } from '../teams/index.js';
import { CHANNEL_IDENTITY, CONSENT_CHANNELS } from '../common/channel-types.js';
import type { ChannelType, IdentityKind } from '../common/channel-types.js';
import { hasRoomFor } from './capacity.js';
import { ConversationEvents } from './conversation.events.js';
import { ConversationView, MessageView, conversationInclude, toConversationView, toMessageView } from './conversation.views.js';
import { activeKeyOf } from './conversation.views.js';
import { OutboxService } from './outbox.service.js';
import { enqueueOutbound } from './outbound.repository.js';
import type { Outbound } from './outbound.repository.js';
import { SendPolicy } from './send-policy.js';
import { MessageFilesService } from './message-files.service.js';
import { withTokens } from './product-cards.js';
import type { SendVerdict } from './send-policy.js';
import { InvitationService } from '../contacts/index.js';
import { EventLog } from '../common/events/event-log.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';

/** Why an agent's message goes out: the consent rule differs (an invitation is the one proactive message before opt-in). */
type Purpose = 'reply' | 'proactive' | 'invitation';

const DEFAULT_INVITATION_TEXT =
  '{team.name}です。今後こちらにご案内をお送りしてもよろしいですか？よろしければ「YES」とご返信ください。（配信停止は「STOP」）';

/** Two agents' first replies closer than this are a double greeting: the later one is withdrawn. */
const GREETING_GUARD_MS = 1000;

/** Which of a contact's addresses a channel writes to. */
const IDENTITY_FOR_CHANNEL: Partial<Record<ChannelType, IdentityKind>> = Object.fromEntries(CONSENT_CHANNELS.map((type) => [type, CHANNEL_IDENTITY[type]]));

/**
 * What the composer may send on a conversation right now, the channel's templates, and the longest text it takes
 * (a longer one is refused with `text_too_long`).
 */
export type Sendability = (
  | { ok: true; templateOnly: false }
  | { ok: false; code: ErrorCode; reason: string; templateOnly: boolean }
) & { templates: { name: string; language: string; variables: string[]; text: string | null }[]; maxTextLength: number };

export interface ConversationQuery {
  view: 'all' | 'mine' | 'waiting';
  unreplied?: boolean;
  favorite?: boolean;
  channelType?: ChannelType;
  status?: 'waiting' | 'open' | 'resolved';
  contactId?: string;
  limit: number;
  cursor?: string;
}

/** The visitor's latest pages the side panel lists (the log of a long visit can run to hundreds). */
const VISITOR_PAGES_SHOWN = 50;

@Injectable()
export class ConversationsService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly events: ConversationEvents,
    private readonly outbox: OutboxService,
    private readonly registry: ChannelRegistry,
    private readonly policy: SendPolicy,
    private readonly invitations: InvitationService,
    private readonly channels: ChannelsService,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly files: MessageFilesService,
    private readonly eventLog: EventLog,
  ) {}

  async list(member: AuthMember, query: ConversationQuery): Promise<Page<ConversationView>> {
    // A blocked contact's conversations are kept, not listed, except on that contact's own page.
    const where: Prisma.ConversationWhereInput = query.contactId ? { teamId: member.teamId, contactId: query.contactId } : { teamId: member.teamId, contact: { blocked: false } };
    if (query.view === 'mine') Object.assign(where, { assigneeId: member.id, status: 'open' });
    if (query.view === 'waiting') Object.assign(where, { status: 'waiting' });
    if (query.status) where.status = query.status;
    if (query.unreplied !== undefined) where.unreplied = query.unreplied;
    if (query.channelType) where.channel = { type: query.channelType };
    if (query.favorite) where.favorites = { some: { memberId: member.id } };
    if (query.cursor) {
      const { at, id } = decodeKeysetCursor(query.cursor);
      where.AND = [{ OR: [{ lastMessageAt: { lt: at } }, { lastMessageAt: at, id: { lt: id } }] }];
    }
    const rows = await this.db.conversation.findMany({
      where,
      include: conversationInclude,
      orderBy: [{ lastMessageAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    return { items: page.map(toConversationView), nextCursor: rows.length > query.limit ? encodeKeysetCursor({ at: page[page.length - 1].lastMessageAt, id: page[page.length - 1].id }) : null };
  }

  async get(member: AuthMember, id: string): Promise<ConversationView> {
    return toConversationView(await this.row(member, id));
  }

  /** The web chat intake's answers, as the visitor gave them, and the group a step sent the chat to. */
  async intake(member: AuthMember, id: string): Promise<{ answers: Array<{ key: string; question: string; answer: string }>; groupId: string | null }> {
    const row = await this.db.conversation.findFirst({ where: { id, teamId: member.teamId }, select: { intake: true, intakeGroupId: true } });
    if (!row) throw notFound('The conversation');
    const answers = Array.isArray(row.intake) ? (row.intake as Array<{ key: string; question: string; answer: string }>) : [];
    return { answers, groupId: row.intakeGroupId };
  }

  async messages(member: AuthMember, id: string, page: { limit: number; cursor?: string }): Promise<Page<MessageView>> {
    await this.row(member, id);
    const after = page.cursor && /^\d{1,19}$/.test(page.cursor) ? BigInt(page.cursor) : null;
    if (page.cursor && after === null) {
      throw new DomainError('invalid', 'invalid_request', 'The cursor is not valid.', [{ field: 'cursor', message: 'is not a cursor this API gave' }]);
    }
    const rows = await this.db.message.findMany({
      where: { conversationId: id, blocked: false, ...(after !== null ? { seq: { gt: after } } : {}) },
      orderBy: { seq: 'asc' },
      take: page.limit + 1,
    });
    const items = rows.slice(0, page.limit).map(toMessageView);
    return { items, nextCursor: rows.length > page.limit ? items[items.length - 1].seq : null };
  }

  /**
   * The hub's own answer in a conversation: a keyword's confirmation or HELP (`confirmation`, which reaches even
   * someone who just opted out: the confirmation of a STOP must), or an away notice (`automatic`, which does not).
   * A refusal (a closed window, a team's text too long for the channel) sends nothing and is logged: the customer's
   * message that caused it is stored either way. Answers the policy's verdict.
   */
  async systemReply(conversationId: string, body: string, purpose: 'automatic' | 'confirmation', at?: Date, messageId?: string): Promise<SendVerdict> {
    return this.sendSystem(await this.systemTarget(conversationId), { body, template: null }, purpose, at, messageId);
  }

  /**
   * One of the channel's approved templates, sent by an automation rule (on WhatsApp, what may still go after the
   * 24-hour window), through the send policy like the hub's other automatic replies. A channel without templates, or
   * a template it does not list, throws the composer's refusal; its id (from the action's key) makes a re-run send none.
   */
  async systemTemplate(conversationId: string, choice: TemplateChoice, messageId: string): Promise<SendVerdict> {
    const conversation = await this.systemTarget(conversationId);
    const { template, preview } = await this.resolveTemplate(conversation.channelId, choice);
    return this.sendSystem(conversation, { body: preview, template }, 'automatic', undefined, messageId);
  }

  private async sendSystem(
    conversation: Awaited<ReturnType<ConversationsService['systemTarget']>>,
    content: { body: string; template: OutboundTemplate | null },
    purpose: 'automatic' | 'confirmation',
    at?: Date,
    messageId?: string,
  ): Promise<SendVerdict> {
    const now = this.clock.now();
    const { body, template } = content;
    const conversationId = conversation.id;
    const verdict = await this.policy.verdict(conversation, { purpose, body, template: template !== null, files: [] }, at ?? now);
    if (!verdict.ok) {
      logger.warn({ conversationId, code: verdict.code, purpose }, 'automatic reply not sent');
      return verdict;
    }
    const message = { ...(messageId ? { id: messageId } : {}), teamId: conversation.teamId, conversationId, channelId: conversation.channelId, body, template, author: { type: 'system' }, createdAt: now } as const;
    try {
      await this.enqueue({ kind: 'new', message, held: false });
    } catch (error) {
      // The same reply written before (an automation rule's action run again after a crash): sent once.
      if (!messageId || !isUniqueViolation(error)) throw error;
    }
    return verdict;
  }

  /** A note an automation rule adds: inside the hub only; its id (from the action's key) makes a re-run add none. */
  async systemNote(conversationId: string, body: string, messageId: string): Promise<void> {
    const conversation = await this.systemTarget(conversationId);
    let note;
    try {
      note = await this.db.message.create({
        data: { id: messageId, teamId: conversation.teamId, conversationId, channelId: conversation.channelId, direction: 'out', kind: 'note', body, authorType: 'system', status: 'sent' },
      });
    } catch (error) {
      if (isUniqueViolation(error)) return;
      throw error;
    }
    this.events.emit('message.created', { teamId: conversation.teamId, message: toMessageView(note) });
  }

  /**
   * Where an automation rule sends a chat nobody holds yet: to a member (as an assignment, over capacity: the rule
   * decided), or to a group, whose members alone routing offers it to (before the intake's group).
   */
  async route(teamId: string, conversationId: string, target: { memberId: string } | { groupId: string }): Promise<'routed' | 'held' | 'not_found'> {
    if ('groupId' in target) {
      const { count } = await this.db.conversation.updateMany({ where: { id: conversationId, teamId }, data: { ruleGroupId: target.groupId } });
      if (count === 0) return 'not_found';
      await this.changed(teamId, conversationId);
      return 'routed';
    }
    const member = await this.db.member.findFirst({ where: { id: target.memberId, teamId, deactivatedAt: null }, select: { id: true } });
    if (!member) return 'not_found';
    const { count } = await this.db.conversation.updateMany({
      where: { id: conversationId, teamId, status: { not: 'resolved' }, OR: [{ assigneeId: null }, { assigneeId: target.memberId }] },
      data: { assigneeId: target.memberId, status: 'open' },
    });
    if (count === 0) return 'held';
    this.events.emit('conversation.assigned', { teamId, conversationId, memberId: target.memberId });
    await this.changed(teamId, conversationId);
    return 'routed';
  }

  /** The category an automation rule gives a chat (the rule checked it is the team's). */
  async systemSetCategory(teamId: string, conversationId: string, categoryId: string): Promise<void> {
    const { count } = await this.db.conversation.updateMany({ where: { id: conversationId, teamId }, data: { categoryId } });
    if (count > 0) await this.changed(teamId, conversationId);
  }

  /**
   * Whether one of the hub's own replies may go out on this conversation at `at` (asked before claiming a
   * once-only notice; `at` is the caller's clock, which the reply window is judged by).
   */
  async systemSendability(conversationId: string, body: string, purpose: 'automatic' | 'confirmation', at = this.clock.now()): Promise<SendVerdict> {
    return this.policy.verdict(await this.systemTarget(conversationId), { purpose, body, template: false, files: [] }, at);
  }

  private systemTarget(conversationId: string) {
    return this.db.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: { channel: { select: { type: true, provider: true, active: true } } } });
  }

  /**
   * An agent writes first (`POST /api/conversations`): only to a contact who opted in on that kind of channel,
   * at the address the contact has for it. An open conversation on that channel is continued, not doubled.
   */
  async start(
    member: AuthMember,
    input: { contactId: string; channelId: string; body: string },
    purpose: 'proactive' | 'invitation' = 'proactive',
  ): Promise<{ conversation: ConversationView; message: MessageView }> {
    const contact = await this.db.contact.findFirst({ where: { id: input.contactId, teamId: member.teamId }, include: { identities: true } });
    if (!contact) throw notFound('The contact');
    const channel = await this.db.channel.findFirst({ where: { id: input.channelId, teamId: member.teamId } });
    if (!channel) throw notFound('The channel');
    if (contact.blocked) throw new DomainError('forbidden', 'contact_blocked', 'This contact is blocked; unblock them before writing.');
    if (!channel.active) throw new DomainError('conflict', 'channel_inactive', 'This channel is switched off; an administrator can switch it on.');
    const kind = IDENTITY_FOR_CHANNEL[channel.type];
    const identity = kind ? contact.identities.find((i) => i.kind === kind) : undefined;
    if (!kind || !identity) {
      throw new DomainError('unprocessable', 'no_address', kind ? `This contact has no ${kind} address to write to on this channel.` : 'A web chat cannot be started by an agent: the visitor starts it.');
    }
    // Refused before a conversation is opened for it; `post` then asks the whole policy.
    await this.policy.checkConsent(member.teamId, contact.id, channel.type, purpose);
    const threadKey = ThreadKey.of(identity);
    const activeKey = activeKeyOf(channel.id, threadKey);
    let conversation = await this.db.conversation.findUnique({ where: { activeKey } });
    if (!conversation) {
      try {
        conversation = await this.db.conversation.create({
          data: { teamId: member.teamId, channelId: channel.id, contactId: contact.id, threadKey, activeKey, status: 'open', assigneeId: member.id },
        });
      } catch (error) {
        // The customer wrote at the same moment: join the conversation they opened.
        if (!isUniqueViolation(error)) throw error;
        conversation = await this.db.conversation.findUniqueOrThrow({ where: { activeKey } });
      }
    }
    const message = await this.post(member, conversation.id, { body: input.body, kind: 'text' }, purpose);
    return { conversation: await this.get(member, conversation.id), message };
  }

  /**
   * `POST /api/contacts/:id/invitations`: asks the customer, by SMS, WhatsApp or email, to answer YES. The question
   * itself is the one message that may go out before an opt-in (never after an opt-out).
   */
  async invite(member: AuthMember, contactId: string, input: { channel: 'sms' | 'whatsapp' | 'email'; channelId: string }): Promise<{ invitationId: string; conversationId: string }> {
    const channel = await this.db.channel.findFirst({ where: { id: input.channelId, teamId: member.teamId } });
    if (!channel) throw notFound('The channel');
    if (channel.type !== input.channel) {
      throw new DomainError('invalid', 'invalid_request', `The channel is a ${channel.type} channel, not ${input.channel}.`, [{ field: 'channelId', message: `must be a ${input.channel} channel` }]);
    }
    const invitation = await this.invitations.create(member, contactId, { channelType: input.channel, channelId: channel.id });
    const team = await this.db.team.findUniqueOrThrow({ where: { id: member.teamId } });
    const template = readTeamSettings(team.settings).invitationText ?? DEFAULT_INVITATION_TEXT;
    const body = template.replaceAll('{team.name}', team.name).replaceAll('{contact.name}', invitation.contactName);
    const { conversation } = await this.start(member, { contactId, channelId: channel.id, body }, 'invitation');
    return { invitationId: invitation.id, conversationId: conversation.id };
  }

  /**
   * An agent's reply (queued for delivery, or held for approval for a trainee) or an internal note. A reply may
   * be one of the channel's approved templates instead of free text: the only thing WhatsApp lets through
   * after its 24-hour window.
   */
  async post(
    member: AuthMember,
    id: string,
    input: { body?: string; kind: 'text' | 'note'; template?: TemplateChoice; attachments?: string[]; products?: ProductCard[] },
    purpose: Purpose = 'reply',
  ): Promise<MessageView> {
    const conversation = await this.row(member, id);
    if (input.kind === 'note') {
      if (input.body === undefined) throw new DomainError('invalid', 'invalid_request', 'A note needs a body.', [{ field: 'body', message: 'is required' }]);
      // A note stays inside the hub: no delivery row, so nothing can ever send it. Its status reads `sent`
      // (stored), never `queued`.
      const note = await this.db.message.create({
        data: {
          teamId: member.teamId,
          conversationId: id,
          channelId: conversation.channel.id,
          direction: 'out',
          kind: 'note',
          body: input.body,
          authorType: 'member',
          authorId: member.id,
          status: 'sent',
        },
      });
      const view = toMessageView(note);
      this.events.emit('message.created', { teamId: member.teamId, message: view });
      return view;
    }
    const now = this.clock.now();
    const template = input.template ? await this.resolveTemplate(conversation.channel.id, input.template) : null;
    const body = template?.preview ?? input.body ?? '';
    const taken = input.attachments ? await this.files.take(member, id, input.attachments) : null;
    // A trainee's draft passes the same rules now and again when it is approved.
    await this.policy.check(conversation, { purpose, body, template: template !== null, files: taken?.files ?? [] }, now);
    const held = member.training;
    // The files go under the message's id before the row is written: the outbox, which may send at once, finds them.
    const messageId = taken ? uuidv7() : undefined;
    const attachments = taken && messageId ? await taken.store(messageId) : undefined;
    const reply = {
      id: messageId,
      teamId: member.teamId,
      conversationId: id,
      channelId: conversation.channel.id,
      body,
      template: template?.template ?? null,
      author: { type: 'member', id: member.id },
      createdAt: now,
      attachments,
      // Each card gets its own tracked link, written with the message (a card without its link never goes out).
      products: input.products?.length ? withTokens(input.products) : undefined,
    } as const;
    const written = await this.db.$transaction(async (tx: Tx) => {
      const greetedBy = await this.greetedJustNowBy(tx, id, member.id, now);
      if (greetedBy) {
        // Two agents greeting the same new chat at once: the first wins, this one never leaves the hub.
        const error = `Withdrawn before delivery: ${greetedBy} greeted this customer a moment before you.`;
        const withdrawn = await tx.message.create({
          data: {
            ...(reply.id ? { id: reply.id, attachments: reply.attachments as unknown as Prisma.InputJsonArray } : {}),
            teamId: member.teamId,
            conversationId: id,
            channelId: conversation.channel.id,
            direction: 'out',
            kind: 'text',
            body,
            ...(template ? { template: template.template as unknown as Prisma.InputJsonObject } : {}),
            authorType: 'member',
            authorId: member.id,
            createdAt: now,
            status: 'failed',
            error,
          },
        });
        return { withdrawn, enqueued: null, took: false };
      }
      // Replying to a chat nobody holds takes it: conditionally, so an agent who accepted a moment before keeps it.
      const took = conversation.assigneeId
        ? false
        : (await tx.conversation.updateMany({ where: { id, assigneeId: null }, data: { assigneeId: member.id, status: 'open' } })).count === 1;
      const shown = { channel: conversation.channel, contact: conversation.contact };
      return { withdrawn: null, enqueued: await this.loggedOutbound(tx, { kind: 'new', message: reply, held, shown }), took };
    });
    if (!written.enqueued) {
      const view = toMessageView(written.withdrawn);
      this.events.emit('message.created', { teamId: member.teamId, message: view });
      return view;
    }
    const view = await this.afterEnqueue(written.enqueued, 'message.created');
    // Offers of this chat to others are withdrawn, as when it is assigned.
    if (written.took) this.events.emit('conversation.assigned', { teamId: member.teamId, conversationId: id, memberId: member.id });
    return view;
  }

  /**
   * A supervisor approves a trainee's draft: the draft passes the send policy again (the customer may have sent
   * STOP, the window may have closed meanwhile), then goes out once, as the trainee wrote it. A refused draft stays
   * pending, so the supervisor sees why and may reject it with feedback or approve it once it may go.
   */
  async approveDraft(member: AuthMember, messageId: string): Promise<MessageView> {
    const draft = await this.db.message.findFirst({ where: { id: messageId, teamId: member.teamId }, select: { conversationId: true, status: true, body: true, template: true, attachments: true } });
    if (!draft) throw notFound('The draft');
    if (draft.status !== 'pending_approval') throw draftDecided(draft.status);
    const now = this.clock.now();
    const conversation = await this.row(member, draft.conversationId);
    await this.policy.check(conversation, { purpose: 'reply', body: draft.body, template: draft.template !== null, files: this.files.filesOf(draft.attachments) }, now);
    const enqueued = await this.db.$transaction(async (tx: Tx) => {
      await this.decideDraft(tx, member, messageId, { status: 'queued' }, now);
      return this.loggedOutbound(tx, { kind: 'approved', messageId });
    });
    return this.afterEnqueue(enqueued, 'message.updated');
  }

  /** A supervisor rejects a trainee's draft: it never leaves the hub, and the trainee reads why. */
  async rejectDraft(member: AuthMember, messageId: string, feedback: string): Promise<MessageView> {
    const message = await this.db.$transaction(async (tx: Tx) => {
      await this.decideDraft(tx, member, messageId, { status: 'rejected', reviewFeedback: feedback }, this.clock.now());
      return tx.message.findUniqueOrThrow({ where: { id: messageId } });
    });
    const view = toMessageView(message);
    // The trainee hears it on every device (message.updated reaches the team, the trainee included).
    this.events.emit('message.updated', { teamId: member.teamId, message: view });
    return view;
  }

  /** One conditional update decides a draft, whichever supervisor or process gets there first. */
  private async decideDraft(tx: Tx, member: AuthMember, messageId: string, data: { status: 'queued' | 'rejected'; reviewFeedback?: string }, now: Date): Promise<void> {
    const { count } = await tx.message.updateMany({
      where: { id: messageId, teamId: member.teamId, status: 'pending_approval' },
      data: { ...data, reviewedById: member.id, reviewedAt: now },
    });
    if (count === 1) return;
    const existing = await tx.message.findFirst({ where: { id: messageId, teamId: member.teamId }, select: { status: true } });
    if (!existing) throw notFound('The draft');
    throw draftDecided(existing.status);
  }

  /** After the commit: the message and the conversation as everyone now sees them, and the delivery set going. */
  private async afterEnqueue(enqueued: Awaited<ReturnType<ConversationsService['loggedOutbound']>>, event: 'message.created' | 'message.updated'): Promise<MessageView> {
    const { message, deliveryId, conversation, logged } = enqueued;
    await this.eventLog.dispatch(logged);
    const view = toMessageView(message);
    this.events.emit(event, { teamId: message.teamId, message: view });
    if (conversation) this.events.emit('conversation.updated', { teamId: message.teamId, conversation: toConversationView(conversation) });
    if (deliveryId) await this.outbox.schedule(deliveryId, 0);
    return view;
  }

  private async enqueue(outbound: Outbound): Promise<MessageView> {
    return this.afterEnqueue(await this.db.$transaction((tx: Tx) => this.loggedOutbound(tx, outbound)), 'message.created');
  }

  /** The outgoing message written with its `message.created` (not for a draft held for approval: once approved). */
  private async loggedOutbound(tx: Tx, outbound: Outbound) {
    const enqueued = await enqueueOutbound(tx, outbound);
    const { message } = enqueued;
    if (message.status === 'pending_approval') return { ...enqueued, logged: [] };
    const logged = await this.eventLog.append(tx, [{
      teamId: message.teamId,
      type: 'message.created',
      conversationId: message.conversationId,
      occurredAt: message.createdAt,
      data: {
        messageId: message.id,
        conversationId: message.conversationId,
        channelId: message.channelId,
        direction: 'out',
        kind: message.kind,
        text: message.body,
        authorType: message.authorType,
        authorId: message.authorId,
      },
    }]);
    return { ...enqueued, logged };
  }

  /**
   * The name of the colleague whose greeting, the first agent reply of this conversation, went in less than
   * GREETING_GUARD_MS ago; null otherwise, and for the colleague the greeter has just handed the chat to. The conversation's row is locked first, so two greetings sent at
   * the same moment are decided one after the other.
   */
  private async greetedJustNowBy(tx: Tx, conversationId: string, memberId: string, now: Date): Promise<string | null> {
    await tx.$queryRaw`SELECT id FROM conversations WHERE id = ${conversationId} FOR UPDATE`;
    const replies = await tx.message.findMany({
      where: { conversationId, direction: 'out', kind: 'text', authorType: 'member', status: { not: 'failed' } },
      orderBy: { createdAt: 'asc' },
      take: 2,
    });
    const [greeting] = replies;
    if (replies.length !== 1 || greeting.authorId === memberId || now.getTime() - greeting.createdAt.getTime() >= GREETING_GUARD_MS) return null;
    // The greeter handed the chat to this member a moment ago (a transfer they accepted): this is the new holder's
    // answer, not a second greeting.
    if (greeting.authorId && (await tx.transfer.count({ where: { conversationId, fromMemberId: greeting.authorId, acceptedById: memberId, status: 'accepted' } }))) return null;
    const author = greeting.authorId ? await tx.member.findUnique({ where: { id: greeting.authorId }, select: { name: true } }) : null;
    return author?.name ?? 'A colleague';
  }

  async accept(member: AuthMember, id: string): Promise<ConversationView> {
    await this.row(member, id);
    const taken = await this.db.$transaction(async (tx: Tx) => {
      if (!(await hasRoomFor(tx, member.id))) return 'at_capacity' as const;
      // One conditional update decides between agents racing for the same chat, on any number of processes.
      const { count } = await tx.conversation.updateMany({
        where: { id, teamId: member.teamId, status: 'waiting', assigneeId: null },
        data: { status: 'open', assigneeId: member.id },
      });
      return count === 0 ? ('taken' as const) : ('accepted' as const);
    });
    if (taken === 'at_capacity') throw new DomainError('conflict', 'at_capacity', 'You already hold as many chats as your capacity allows; finish one first.');
    if (taken === 'taken') throw new DomainError('conflict', 'offer_taken', 'Someone else has already taken this chat.');
    this.events.emit('conversation.accepted', { teamId: member.teamId, conversationId: id, memberId: member.id });
    return this.changed(member.teamId, id);
  }

  /**
   * A supervisor gives a chat to a member (from the waiting queue, say); an agent may take one nobody holds for
   * themselves, never a colleague's (that is a transfer, which the colleague sees). Never over the member's capacity
   * unless the supervisor says so (`override`).
   */
  async assign(member: AuthMember, id: string, memberId: string, override = false): Promise<ConversationView> {
    const conversation = await this.row(member, id);
    const supervisor = hasRole(member, 'supervisor');
    if (!supervisor && memberId !== member.id) {
      throw new DomainError('forbidden', 'forbidden', 'Only a supervisor or above may assign a chat to someone else.');
    }
    if (override && !supervisor) throw new DomainError('forbidden', 'forbidden', 'Only a supervisor or above may assign over a member’s capacity.');
    const target = await this.db.member.findFirst({ where: { id: memberId, teamId: member.teamId } });
    if (!target) throw new DomainError('invalid', 'invalid_request', 'This member is not in your team.', [{ field: 'memberId', message: 'is not a member of your team' }]);
    if (target.deactivatedAt) throw new DomainError('conflict', 'member_deactivated', `${target.name} has been deactivated; assign the chat to someone else.`);
    if (conversation.status === 'resolved') throw new DomainError('conflict', 'conversation_resolved', 'This conversation has ended; reopen it first.');
    const heldByColleague = new DomainError('forbidden', 'held_by_colleague', 'A colleague holds this chat; only they (by a transfer) or a supervisor may hand it to you.');
    if (!supervisor && conversation.assigneeId && conversation.assigneeId !== member.id) throw heldByColleague;
    const assigned = await this.db.$transaction(async (tx: Tx) => {
      if (conversation.assigneeId !== memberId && !override && !(await hasRoomFor(tx, memberId))) return 'at_capacity' as const;
      // An agent's claim is conditional on nobody else holding the chat: a colleague who accepted it a moment
      // before keeps it.
      const mine = supervisor ? {} : { OR: [{ assigneeId: null }, { assigneeId: member.id }] };
      const { count } = await tx.conversation.updateMany({ where: { id, ...mine }, data: { assigneeId: memberId, status: 'open' } });
      return count === 0 ? ('held' as const) : ('assigned' as const);
    });
    if (assigned === 'held') throw heldByColleague;
    if (assigned === 'at_capacity') {
      throw new DomainError('conflict', 'at_capacity', `${target.name} already holds as many chats as their capacity allows; assign with "override": true to go over it.`);
    }
    this.events.emit('conversation.assigned', { teamId: member.teamId, conversationId: id, memberId });
    return this.changed(member.teamId, id);
  }

  async resolve(member: AuthMember, id: string, input: { outcome?: string; confirmed?: boolean }): Promise<ConversationView> {
    const before = await this.row(member, id);
    // A booking posts to the bookings group: one careless click on a chat where the customer never wrote would
    // post a booking nobody made, so it takes the agent's confirmation.
    if (input.outcome === 'booked' && !input.confirmed) {
      const customerWrote = await this.db.message.findFirst({
        where: { conversationId: id, direction: 'in', authorType: 'contact', kind: { in: ['text', 'media'] }, blocked: false },
        select: { id: true },
      });
      if (!customerWrote) {
        throw new DomainError(
          'unprocessable',
          'outcome_needs_confirmation',
          'The customer never wrote in this chat; send "confirmed": true to resolve it as booked anyway.',
          { outcome: 'booked' },
        );
      }
    }
    // Handled when an agent's reply reached (or is on its way to) the customer; otherwise nobody answered.
    const reply = await this.db.message.findFirst({
      where: { conversationId: id, direction: 'out', kind: { in: ['text', 'media'] }, authorType: 'member', status: { notIn: ['failed', 'pending_approval', 'rejected'] } },
      select: { id: true },
    });
    const resolvedAt = this.clock.now();
    const logged = await this.db.$transaction(async (tx: Tx) => {
      await tx.conversation.update({
        where: { id },
        // Clearing activeKey frees the thread: the customer's next message opens a new conversation.
        data: { status: 'resolved', activeKey: null, resolvedAt, outcome: input.outcome ?? null, handled: reply !== null },
      });
      if (before.status === 'resolved') return [];
      return this.eventLog.append(tx, [{
        teamId: member.teamId,
        type: 'conversation.resolved',
        conversationId: id,
        occurredAt: resolvedAt,
        data: {
          conversationId: id,
          channelId: before.channel.id,
          channel: before.channel.type,
          contactId: before.contactId,
          outcome: input.outcome ?? null,
          intake: before.intake ?? null,
          assigneeId: before.assigneeId,
          resolvedBy: member.id,
        },
      }]);
    });
    await this.eventLog.dispatch(logged);
    const view = await this.changed(member.teamId, id);
    if (before.status !== 'resolved') {
      this.events.emit('conversation.resolved', { teamId: member.teamId, conversationId: id, memberId: member.id, assigneeId: before.assigneeId, outcome: input.outcome ?? null, resolvedAt });
    }
    return view;
  }

  /**
   * The category its agent (or a supervisor) gives a conversation; the caller has checked that the category is the
   * team's (categories belong to supervision).
   */
  async setCategory(member: AuthMember, id: string, categoryId: string | null): Promise<ConversationView> {
    const conversation = await this.row(member, id);
    if (conversation.assigneeId !== member.id && !hasRole(member, 'supervisor')) {
      throw new DomainError('forbidden', 'forbidden', 'Only the conversation’s agent or a supervisor may set its category.');
    }
    await this.db.conversation.update({ where: { id }, data: { categoryId } });
    return this.changed(member.teamId, id);
  }

  /** The customer's satisfaction (1-5 and what they wrote): the latest answer counts. */
  async recordRating(teamId: string, id: string, rating: { score: number; comment?: string | null }): Promise<ConversationView> {
    const { count } = await this.db.conversation.updateMany({
      where: { id, teamId },
      data: { ratingScore: rating.score, ratingComment: rating.comment ?? null, ratedAt: this.clock.now(), ratingRequestedAt: null },
    });
    if (count === 0) throw notFound('The conversation');
    return this.changed(teamId, id);
  }

  /** The agent asks for a rating: the team's question goes out on the conversation's channel. */
  async requestRating(member: AuthMember, id: string, question: string): Promise<MessageView> {
    const message = await this.post(member, id, { body: question, kind: 'text' });
    await this.db.conversation.update({ where: { id }, data: { ratingRequestedAt: new Date(message.createdAt) } });
    return message;
  }

  async reopen(member: AuthMember, id: string): Promise<ConversationView> {
    const conversation = await this.row(member, id);
    if (conversation.status !== 'resolved') return toConversationView(conversation);
    const activeKey = activeKeyOf(conversation.channel.id, conversation.threadKey);
    const { count } = await this.db.conversation.updateMany({
      where: { id, teamId: member.teamId, status: 'resolved' },
      data: { status: conversation.assigneeId ? 'open' : 'waiting', activeKey, resolvedAt: null, handled: null },
    }).catch((error: unknown) => {
      if (isUniqueViolation(error)) {
        throw new DomainError('conflict', 'conversation_exists', 'The customer has started a newer conversation on this channel; continue there.');
      }
      throw error;
    });
    if (count === 0) throw new DomainError('conflict', 'conversation_changed', 'This conversation changed meanwhile; reload it.');
    return this.changed(member.teamId, id);
  }

  async setFavorite(member: AuthMember, id: string, favorite: boolean): Promise<{ favorite: boolean }> {
    await this.row(member, id);
    if (favorite) {
      await this.db.favorite.upsert({
        where: { memberId_conversationId: { memberId: member.id, conversationId: id } },
        create: { memberId: member.id, conversationId: id },
        update: {},
      });
    } else {
      await this.db.favorite.deleteMany({ where: { memberId: member.id, conversationId: id } });
    }
    return { favorite };
  }

  /** Tells every agent of the team how the conversation looks now (after routing moved it). */
  async announce(teamId: string, id: string): Promise<ConversationView> {
    return this.changed(teamId, id);
  }

  private async changed(teamId: string, id: string): Promise<ConversationView> {
    const row = await this.db.conversation.findUniqueOrThrow({ where: { id }, include: conversationInclude });
    const view = toConversationView(row);
    this.events.emit('conversation.updated', { teamId, conversation: view });
    return view;
  }

  /**
   * Whether a reply may go out now, and if not why (the composer follows it): the send policy's verdict on an
   * empty reply (a closed conversation or channel, an opted-out customer, or a closed WhatsApp window, where only
   * the channel's approved templates may go), with the longest text the channel takes.
   */
  async sendability(member: AuthMember, id: string): Promise<Sendability> {
    const conversation = await this.row(member, id);
    const templates = await this.templatesOf(conversation.channel.id);
    const maxTextLength = this.policy.longestText(conversation.channel);
    const verdict = await this.policy.verdict(conversation, { purpose: 'reply', body: '', template: false, files: [] }, this.clock.now());
    if (verdict.ok) return { ok: true, templateOnly: false, templates, maxTextLength };
    // Outside the window a template still goes out; a refusal for any other reason stops every reply.
    const templateOnly = verdict.code === 'reply_window_closed' && templates.length > 0;
    return { ok: false, code: verdict.code, reason: verdict.reason, templateOnly, templates, maxTextLength };
  }

  /** The approved templates of the team's channels that are switched on (what an automation rule may name). */
  async teamTemplates(teamId: string): Promise<Sendability['templates']> {
    const channels = (await this.channels.list(teamId)).filter((channel) => channel.active);
    return (await Promise.all(channels.map((channel) => this.templatesOf(channel.id)))).flat();
  }

  private async templatesOf(channelId: string): Promise<Sendability['templates']> {
    const channel = await this.channels.account(channelId);
    return (channel && this.registry.get(channel.provider).templates?.(channel)) || [];
  }

  /** The agent's template choice, checked against the channel's templates (which only the channel knows). */
  private async resolveTemplate(channelId: string, choice: TemplateChoice) {
    const channel = await this.channels.account(channelId);
    const adapter = channel ? this.registry.get(channel.provider) : null;
    if (!channel || !adapter?.resolveTemplate) {
      throw new DomainError('invalid', 'templates_unsupported', 'This channel cannot send templates; write the reply as text.', [
        { field: 'template', message: 'is not supported on this channel' },
      ]);
    }
    return adapter.resolveTemplate(channel, choice);
  }

  /**
   * The pages the visitor was on (the widget's access log, which store detection reads), newest first; a
   * conversation of another channel has none.
   */
  async visitorPages(member: AuthMember, id: string): Promise<{ url: string; title: string | null; seenAt: string }[]> {
    const conversation = await this.row(member, id);
    const visitorId = ThreadKey.visitorOf(conversation.threadKey);
    if (!visitorId) return [];
    const pages = await this.db.visitorPage.findMany({
      where: { channelId: conversation.channelId, visitorId },
      orderBy: [{ seenAt: 'desc' }, { id: 'desc' }],
      take: VISITOR_PAGES_SHOWN,
    });
    return pages.map((page) => ({ url: page.url, title: page.title, seenAt: page.seenAt.toISOString() }));
  }

  /** The conversation if it belongs to the member's team; another team's id is simply not found. */
  private async row(member: AuthMember, id: string) {
    const row = await this.db.conversation.findFirst({
      where: { id, teamId: member.teamId },
      include: { ...conversationInclude, channel: { select: { id: true, type: true, name: true, active: true, provider: true } } },
    });
    if (!row) throw notFound('The conversation');
    return row;
  }
}

function draftDecided(status: string): DomainError {
  return new DomainError('conflict', 'draft_decided', `This draft is no longer awaiting approval (it is ${status}).`);
}

import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { outboundCards } from './product-cards.js';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { MessageFilesService } from './message-files.service.js';
import { createHash } from 'node:crypto';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { ChannelAccount, ChannelAddress, InboundEvent, IngestOutcome, LaunchState, LeftMessage, ProofSent, VisitorMessage, VisitorPage, VisitorSessions } from '../channels/index.js';
import { ChannelsService, ThreadKey, WebchatVisitors, widgetProductCards } from '../channels/index.js';
import { ConsentService, ContactsService } from '../contacts/index.js';
import { TeamsService } from '../teams/index.js';
import { activeKeyOf } from './conversation.views.js';
import { ConversationEvents } from './conversation.events.js';
import { ConversationsService } from './conversations.service.js';
import { IngestService } from './ingest.service.js';
import { VisitorClaimsService } from './visitor-claims.service.js';

type InboundMessage = Extract<InboundEvent, { type: 'message' }>;

/**
 * The web chat visitor's side of the hub, behind the widget's own port: their thread and its resync, who they say
 * they are and the proof of it, the message form, ratings, pages, the transcript and their typing. Their messages
 * themselves go through the ingest like any provider's.
 */
@Injectable()
export class WebchatSessionService implements VisitorSessions, OnModuleInit {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly visitors: WebchatVisitors,
    private readonly ingestion: IngestService,
    private readonly contacts: ContactsService,
    private readonly channels: ChannelsService,
    private readonly events: ConversationEvents,
    private readonly replies: ConversationsService,
    private readonly claims: VisitorClaimsService,
    private readonly teams: TeamsService,
    private readonly consent: ConsentService,
    private readonly files: MessageFilesService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  onModuleInit(): void {
    this.visitors.connect(this);
  }

  /** What a web visitor says about themselves: a name, and addresses that stay claims until proved (VisitorClaimsService). */
  async identifyVisitor(channel: ChannelAccount, visitorId: string, details: { name?: string; email?: string; phone?: string }, clientAddress: string): Promise<{ contactId: string; proof: ProofSent | null }> {
    return this.claims.identify(channel, { visitorId, clientAddress }, details);
  }

  async proveVisitor(channel: ChannelAccount, visitorId: string, code: string): Promise<{ kind: 'email' | 'phone' }> {
    return this.claims.prove(channel, visitorId, code);
  }

  /**
   * The widget's message form. With an email address and an email channel (or a phone number and an SMS channel),
   * what the visitor wrote opens a conversation on that channel with the address they typed, so that the answer goes
   * by mail or SMS; but the conversation is their own contact's (never the address's holder), and it holds every
   * reply until they enter the code sent to the address. An address they proved before is theirs: the message arrives
   * as if from it. Without such a channel it stays in the chat. A phone number is used when both are given.
   */
  async leaveMessage(channel: ChannelAccount, visitorId: string, form: LeftMessage, clientAddress: string): Promise<{ conversationId: string; channelType: 'email' | 'sms' | 'webchat'; proof: ProofSent | null }> {
    const kind = form.phone ? 'phone' : form.email ? 'email' : null;
    if (!kind) {
      throw new DomainError('invalid', 'contact_required', 'Give an email address or a phone number, so that the answer can reach you.', [
        { field: 'email', message: 'or phone is required' },
        { field: 'phone', message: 'or email is required' },
      ]);
    }
    const { contact, claim, proofMode } = await this.claims.claimForForm(channel, visitorId, kind, (kind === 'phone' ? form.phone : form.email)!, form.name);
    const type = kind === 'phone' ? 'sms' : 'email';
    const answering = await this.db.channel.findFirst({ where: { teamId: channel.teamId, type, active: true }, orderBy: { createdAt: 'asc' }, select: { id: true } });
    const target = answering ? await this.channels.account(answering.id) : null;
    const key = `form:${visitorId}:${form.clientId ?? createHash('sha256').update(form.body).digest('hex').slice(0, 32)}`;
    const event = (from: ChannelAddress): InboundMessage => ({ type: 'message', eventKey: key, providerMessageId: key, from, body: form.body, attachments: [], occurredAt: this.clock.now() });
    let outcome: IngestOutcome;
    if (target && claim.provedAt) {
      [outcome] = await this.ingestion.ingest(target, [event({ kind, address: claim.address, name: form.name })]);
    } else if (target) {
      const threadKey = ThreadKey.of({ kind, address: claim.address });
      outcome = await this.ingestion.storePlaced(target, event({ kind, address: claim.address }), {
        contact,
        author: contact,
        threadKey,
        // The visitor's own thread with that address: never the live conversation of whoever holds it.
        activeKey: activeKeyOf(target.id, `form:${visitorId}:${threadKey}`),
        awaitingClaimId: claim.id,
      });
    } else {
      [outcome] = await this.ingestion.ingest(channel, [event({ kind: 'visitor', address: visitorId })]);
    }
    if (!outcome.conversationId) throw new DomainError('forbidden', 'chat_unavailable', 'Chat is not available right now.');
    // A resend after a lost ack stores nothing new and sends no second code.
    const wantsProof = !claim.provedAt && outcome.stored && (target !== null || proofMode === 'code');
    // Proved between the claim's read and the conversation's insert: the proof's release may have missed this one.
    if (target && !claim.provedAt) await this.claims.releaseIfProved(claim.id);
    const proof = wantsProof ? await this.claims.sendCode(channel, { visitorId, clientAddress }, claim) : null;
    return { conversationId: outcome.conversationId, channelType: target ? type : 'webchat', proof };
  }

  /** Closed by business hours (with the next opening), nobody online, or open: what the widget says as it opens. */
  async launchState(channel: ChannelAccount): Promise<LaunchState> {
    const { open, opensAt, timeZone } = await this.teams.openingAt(channel.teamId, this.clock.now());
    if (!open) return { status: 'closed', opensAt, timeZone };
    const online = await this.db.member.count({ where: { teamId: channel.teamId, status: 'online', deactivatedAt: null } });
    return { status: online > 0 ? 'open' : 'unavailable', opensAt: null, timeZone };
  }

  async agreeToNotice(channel: ChannelAccount, visitorId: string, notice: { version: string; text: string | null; url: string }): Promise<void> {
    const contact = await this.contacts.resolveIdentity(channel.teamId, { kind: 'visitor', address: visitorId });
    await this.consent.recordNoticeAgreement({ teamId: channel.teamId, contactId: contact.id, channelId: channel.id, visitorId, ...notice, occurredAt: this.clock.now() });
  }

  agreedToNotice(channel: ChannelAccount, visitorId: string, version: string): Promise<boolean> {
    return this.consent.agreedToNotice(channel.id, visitorId, version);
  }

  /** A blocked visitor's widget stays closed (they are told only that chat is unavailable). */
  async isBlocked(channel: ChannelAccount, address: ChannelAddress): Promise<boolean> {
    return (await this.contacts.findByIdentity(channel.teamId, address.kind, address.address))?.blocked ?? false;
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
        ...(row.unsentAt && row.direction === 'out' ? { withdrawn: true } : {}),
        author: { type: row.authorType, name: row.authorType === 'member' ? (authors.get(row.authorId!) ?? null) : null },
        createdAt: row.createdAt.toISOString(),
        ...(Array.isArray(row.attachments) && row.attachments.length > 0 ? { attachments: this.files.visitorAttachments(row.id, row.attachments) } : {}),
        ...(row.products && !row.unsentAt ? { products: widgetProductCards(outboundCards(row.products, this.config.publicUrl)) } : {}),
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

import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, Prisma, isUniqueViolation } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import type { ChannelAccount, InboundEvent, IngestOutcome } from '../channels/index.js';
import { ChannelsService, ThreadKey } from '../channels/index.js';
import { ConsentService, ContactsService } from '../contacts/index.js';
import { ContactNamingJob } from './contact-naming.service.js';
import { ConversationEvents } from './conversation.events.js';
import { activeKeyOf, toMessageView } from './conversation.views.js';
import { knownMessage } from './inbound.repository.js';
import { EARLIER_STATUSES } from './message-status.js';
import { OutboxService, optedOutReason } from './outbox.service.js';

type InboundStatus = Extract<InboundEvent, { type: 'status' }>;
type InboundContactEvent = Extract<InboundEvent, { type: 'contact' }>;
type InboundGroupEvent = Extract<InboundEvent, { type: 'group' }>;
type InboundUnsend = Extract<InboundEvent, { type: 'unsend' }>;

const MEMBER_CHANGE_TEXT: Record<InboundGroupEvent['kind'], string> = {
  joined: 'joined',
  left: 'left',
  member_joined: 'メンバーが参加しました',
  member_left: 'メンバーが退出しました',
};

/** What a provider reports besides a customer's message: delivery statuses, unsends, groups, follows and opt-outs. */
@Injectable()
export class ProviderEventApplier {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly contacts: ContactsService,
    private readonly channels: ChannelsService,
    private readonly events: ConversationEvents,
    private readonly consent: ConsentService,
    private readonly outbox: OutboxService,
    private readonly naming: ContactNamingJob,
  ) {}

  async applyStatus(channel: ChannelAccount, event: InboundStatus): Promise<IngestOutcome> {
    const failure = event.status === 'failed' ? (event.failure ?? { code: 'provider_refused' as const, reason: 'The provider could not deliver this message.' }) : null;
    const error = failure?.reason ?? null;
    const errorCode = failure?.code ?? null;
    const errorDetails = failure?.details ?? Prisma.DbNull;
    const { count } = await this.db.message.updateMany({
      where: { channelId: channel.id, providerMessageId: event.providerMessageId, direction: 'out', status: { in: EARLIER_STATUSES[event.status] } },
      data: { status: event.status, error, errorCode, errorDetails },
    });
    if (count === 0) {
      const known = await this.db.message.findFirst({ where: { channelId: channel.id, providerMessageId: event.providerMessageId }, select: { id: true } });
      // Not ours yet: the send that will learn this id has not returned. Keep the report for it.
      if (!known) {
        await this.db.earlyStatus.createMany({
          data: [{ channelId: channel.id, providerMessageId: event.providerMessageId, status: event.status, error, errorCode, errorDetails, occurredAt: event.occurredAt }],
          skipDuplicates: true,
        });
      }
      return { stored: false };
    }
    const rows = await this.db.message.findMany({ where: { channelId: channel.id, providerMessageId: event.providerMessageId, direction: 'out' } });
    for (const row of rows) this.events.emit('message.updated', { teamId: channel.teamId, message: toMessageView(row) });
    return { stored: true, conversationId: rows[0]?.conversationId, messageId: rows[0]?.id };
  }

  async recordContactEvent(channel: ChannelAccount, event: InboundContactEvent): Promise<IngestOutcome> {
    const contact = await this.naming.resolve(channel, event.from);
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

  async applyGroupEvent(channel: ChannelAccount, event: InboundGroupEvent): Promise<IngestOutcome> {
    if (event.kind === 'joined' || event.kind === 'left') {
      await this.channels.recordGroup(channel, event.group.address, event.kind, event.occurredAt);
      if (event.kind === 'joined') {
        // Each join learns the group's name again: it may have been renamed while the bot was out.
        const contact = await this.contacts.resolveIdentity(channel.teamId, event.group);
        const request = this.naming.request(channel, contact.id, event.group, `name-${event.eventKey}`);
        if (request) await this.naming.queue(request);
      }
      return { stored: true };
    }
    // People coming and going show in the group's open conversation, if there is one; they open none.
    const conversation = await this.db.conversation.findUnique({ where: { activeKey: activeKeyOf(channel.id, ThreadKey.of(event.group)) } });
    if (!conversation) return { stored: false };
    const known = await knownMessage(this.db, channel.id, event.eventKey);
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
      return (await knownMessage(this.db, channel.id, event.eventKey)) ?? { stored: false };
    }
  }

  /** The customer took a message back: its text and media are no longer shown to anyone. */
  async unsend(channel: ChannelAccount, event: InboundUnsend): Promise<IngestOutcome> {
    const where = { channelId: channel.id, providerMessageId: event.providerMessageId, direction: 'in' as const, unsentAt: null };
    const { count } = await this.db.message.updateMany({ where, data: { unsentAt: event.occurredAt, body: '', attachments: [] } });
    if (count === 0) return { stored: false };
    const rows = await this.db.message.findMany({ where: { channelId: channel.id, providerMessageId: event.providerMessageId, direction: 'in' } });
    for (const row of rows) this.events.emit('message.updated', { teamId: channel.teamId, message: toMessageView(row) });
    return { stored: true, conversationId: rows[0]?.conversationId, messageId: rows[0]?.id };
  }

}

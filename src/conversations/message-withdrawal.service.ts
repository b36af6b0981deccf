import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, Prisma } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { ChannelRegistry, ChannelsService, ThreadKey } from '../channels/index.js';
import type { AuthMember } from '../teams/index.js';
import { ConversationEvents } from './conversation.events.js';
import { toMessageView } from './conversation.views.js';
import type { MessageView } from './conversation.views.js';

/** How long after sending an agent may take a message back: long enough to catch a slip, short enough that it was not yet read and answered. */
export const WITHDRAW_WINDOW_MS = 2 * 60_000;

/** Why a channel cannot take a message back, in the words the API answers with. */
const CANNOT: Partial<Record<string, string>> = {
  line: 'LINE bots cannot unsend a message (only the user’s own LINE app can); the customer keeps it.',
  sms: 'An SMS cannot be taken back once sent.',
  email: 'An email cannot be taken back once sent.',
  whatsapp: 'This WhatsApp channel cannot take a sent message back.',
};

/** An agent takes back their own message within two minutes, where the channel can remove it from the customer's view. */
@Injectable()
export class MessageWithdrawalService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly registry: ChannelRegistry,
    private readonly channels: ChannelsService,
    private readonly events: ConversationEvents,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async withdraw(member: AuthMember, conversationId: string, messageId: string): Promise<MessageView> {
    // Another team's conversation or message is simply not found.
    const message = await this.db.message.findFirst({
      where: { id: messageId, conversationId, teamId: member.teamId },
      include: { conversation: { select: { threadKey: true, channelId: true } } },
    });
    if (!message) throw notFound('The message');
    if (message.direction !== 'out' || message.kind === 'note' || message.unsentAt || ['failed', 'rejected'].includes(message.status)) {
      throw new DomainError('conflict', 'withdraw_not_possible', 'Only a message of ours that went (or is going) to the customer can be withdrawn, once.', { status: message.status });
    }
    if (message.authorType !== 'member' || message.authorId !== member.id) {
      throw new DomainError('forbidden', 'withdraw_not_own', 'Only the member who wrote a message may withdraw it.');
    }
    const now = this.clock.now();
    if (now.getTime() - message.createdAt.getTime() > WITHDRAW_WINDOW_MS) {
      throw new DomainError('conflict', 'withdraw_too_late', 'A message can be withdrawn only within 2 minutes of sending it.', { windowSeconds: WITHDRAW_WINDOW_MS / 1000 });
    }
    const channel = await this.channels.account(message.conversation.channelId);
    const adapter = channel ? this.registry.get(channel.provider) : null;
    // Said before anything is tried: a channel without a way to take it back leaves the message where it is.
    if (!channel || !adapter?.withdraw) {
      const type = channel?.type ?? 'unknown';
      throw new DomainError('unprocessable', 'withdraw_unsupported', CANNOT[type] ?? 'This channel cannot take a sent message back.', { channel: type });
    }
    const withdrawn = await this.db.$transaction(async (tx: Tx) => {
      // One conditional update: a second click (or a colleague's tab) finds it withdrawn already.
      const { count } = await tx.message.updateMany({ where: { id: messageId, unsentAt: null }, data: { unsentAt: now, body: '', attachments: [], products: Prisma.DbNull } });
      if (count === 0) return null;
      // Its cards' links go with it: a withdrawn card no longer leads anywhere.
      await tx.productLink.deleteMany({ where: { messageId } });
      // Not yet handed over: it never goes out.
      await tx.delivery.updateMany({ where: { messageId, state: 'pending' }, data: { state: 'failed', completedAt: now, lastError: 'withdrawn: the agent took it back' } });
      return tx.message.findUniqueOrThrow({ where: { id: messageId } });
    });
    if (!withdrawn) throw new DomainError('conflict', 'withdraw_not_possible', 'This message has already been withdrawn.');
    await adapter.withdraw(channel, { to: ThreadKey.parse(message.conversation.threadKey), messageId, providerMessageId: message.providerMessageId });
    const view = toMessageView(withdrawn);
    this.events.emit('message.updated', { teamId: member.teamId, message: view });
    return view;
  }
}

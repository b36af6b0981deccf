import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DATABASE } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { logger } from '../common/logging/logger.js';
import type { ChannelAddress, SendResult } from '../channels/index.js';
import { ChannelRegistry, ChannelsService } from '../channels/index.js';
import { ConversationEvents } from './conversation.events.js';
import { toMessageView } from './conversation.views.js';

const DELIVER = 'conversations.deliver';

interface DeliverJob {
  deliveryId: string;
  /** The attempt count this job expects to find; a job that finds another was overtaken and does nothing. */
  attempt: number;
}

/** Backoff between attempts while a provider is down: 2 s, 4 s, 8 s ... capped at 5 minutes, never given up. */
export function retryDelayMs(attempt: number): number {
  return Math.min(2_000 * 2 ** Math.max(0, attempt - 1), 5 * 60_000);
}

/**
 * The outbox's worker: sends queued messages through their channel's adapter. The delivery row is the
 * truth; a job only says "look at it now", so a job run twice, or a row left behind by a crash, is harmless.
 */
@Injectable()
export class OutboxService implements OnModuleInit {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    private readonly registry: ChannelRegistry,
    private readonly channels: ChannelsService,
    private readonly events: ConversationEvents,
  ) {}

  onModuleInit(): void {
    this.jobs.register<DeliverJob>(DELIVER, (job) => this.deliver(job), { concurrency: 4 });
  }

  async schedule(deliveryId: string, attempt: number, delayMs = 0): Promise<void> {
    await this.jobs.add<DeliverJob>(DELIVER, { deliveryId, attempt }, { jobId: `deliver-${deliveryId}-${attempt}`, delayMs });
  }

  /** Takes up every delivery still pending, e.g. after a restart: nothing written is ever left unsent. */
  async resume(): Promise<number> {
    const pending = await this.db.delivery.findMany({ where: { state: 'pending' }, select: { id: true, attempts: true } });
    for (const row of pending) await this.schedule(row.id, row.attempts);
    return pending.length;
  }

  async deliver({ deliveryId, attempt }: DeliverJob): Promise<void> {
    // Claim this attempt: one conditional update, so two workers holding the same row send it once.
    const { count } = await this.db.delivery.updateMany({ where: { id: deliveryId, state: 'pending', attempts: attempt }, data: { attempts: attempt + 1 } });
    if (count === 0) return;
    const delivery = await this.db.delivery.findUniqueOrThrow({
      where: { id: deliveryId },
      include: { message: { include: { conversation: true } } },
    });
    const { message } = delivery;
    const channel = await this.channels.account(message.channelId);
    let result: SendResult;
    if (!channel) {
      result = { ok: false, retry: false, code: 'channel_deleted', reason: 'The channel was deleted before this message could be sent.' };
    } else {
      const author = message.authorId ? await this.db.member.findUnique({ where: { id: message.authorId }, select: { name: true } }) : null;
      try {
        result = await this.registry.get(channel.provider).send(channel, {
          messageId: message.id,
          conversationId: message.conversationId,
          to: addressOf(message.conversation.threadKey),
          body: message.body,
          attachments: [],
          author: { type: message.authorType === 'contact' ? 'system' : message.authorType, id: message.authorId, name: author?.name ?? null },
          createdAt: message.createdAt,
          seq: message.seq.toString(),
        });
      } catch (error) {
        // An adapter that throws (a network error inside an SDK) is treated as a provider outage: retry.
        logger.warn({ err: error, deliveryId }, 'channel send threw');
        result = { ok: false, retry: true, code: 'send_error', reason: 'The provider could not be reached; retrying.' };
      }
    }
    await this.record(deliveryId, message.id, message.teamId, attempt + 1, result);
  }

  private async record(deliveryId: string, messageId: string, teamId: string, attempts: number, result: SendResult): Promise<void> {
    const updated = await this.db.$transaction(async (tx: Tx) => {
      if (result.ok) {
        await tx.delivery.update({ where: { id: deliveryId }, data: { state: 'done', completedAt: new Date(), lastError: null } });
        // Only from queued: a status callback may already have moved the message on before the send returned.
        await tx.message.updateMany({ where: { id: messageId, status: 'queued' }, data: { status: 'sent', error: null } });
        await tx.message.update({ where: { id: messageId }, data: { providerMessageId: result.providerMessageId } });
      } else if (result.retry) {
        await tx.delivery.update({ where: { id: deliveryId }, data: { lastError: `${result.code}: ${result.reason}` } });
        await tx.message.update({ where: { id: messageId }, data: { error: result.reason } });
      } else {
        await tx.delivery.update({ where: { id: deliveryId }, data: { state: 'failed', completedAt: new Date(), lastError: `${result.code}: ${result.reason}` } });
        await tx.message.update({ where: { id: messageId }, data: { status: 'failed', error: result.reason } });
      }
      return tx.message.findUniqueOrThrow({ where: { id: messageId } });
    });
    this.events.emit('message.updated', { teamId, message: toMessageView(updated) });
    if (!result.ok && result.retry) await this.schedule(deliveryId, attempts, retryDelayMs(attempts));
  }
}

export function addressOf(threadKey: string): ChannelAddress {
  const at = threadKey.indexOf(':');
  return { kind: threadKey.slice(0, at) as ChannelAddress['kind'], address: threadKey.slice(at + 1) };
}

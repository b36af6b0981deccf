import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { MessageFilesService } from './message-files.service.js';
import { DATABASE, Prisma } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { logger } from '../common/logging/logger.js';
import type { EarlierMessage, MessageContent, OutboundMessage, OutboundTemplate, SendResult } from '../channels/index.js';
import { ChannelRegistry, ChannelsService, ThreadKey } from '../channels/index.js';
import { ConsentService } from '../contacts/index.js';
import type { ConsentChannel } from '../contacts/index.js';
import { ConversationEvents } from './conversation.events.js';
import { toMessageView } from './conversation.views.js';
import type { MessageRow } from './conversation.views.js';
import { deliveryToSend, recordSent } from './delivery.repository.js';
import type { DeliveryToSend } from './delivery.repository.js';
import { EARLIER_STATUSES, furthest } from './message-status.js';
import type { ReportedStatus } from './message-status.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { HUB_METRICS } from '../common/metrics/hub-metrics.js';
import type { HubMetrics } from '../common/metrics/hub-metrics.js';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { outboundCards } from './product-cards.js';

const DELIVER = 'conversations.deliver';

interface DeliverJob {
  deliveryId: string;
  /** The attempt count this job expects to find; a job that finds another was overtaken and does nothing. */
  attempt: number;
  /** The send slot this job already booked under the channel's rate limit (ms since epoch). */
  slotAt?: number;
}

/** At or above this rate a channel has no limit worth booking slots for (a socket emit). */
const UNLIMITED_SENDS_PER_SECOND = 1000;

/** Backoff between attempts while a provider is down: 2 s, 4 s, 8 s ... capped at 5 minutes, never given up. */
export function retryDelayMs(attempt: number): number {
  return Math.min(2_000 * 2 ** Math.max(0, attempt - 1), 5 * 60_000);
}

/**
 * Failures that say the provider was down, not that this one message must wait (a rate limit, a customer's own limit,
 * a widget not open): once the channel sends again, what failed with them need not wait out its backoff.
 */
const OUTAGE_CODES = ['provider_unreachable', 'provider_unavailable', 'send_error'];

/**
 * The outbox's worker: sends queued messages through their channel's adapter. The delivery row is the
 * truth; a job only says "look at it now", so a job run twice, or a row left behind by a crash, is harmless.
 */
@Injectable()
export class OutboxService implements OnModuleInit, ResumableWork {
  readonly name = 'pending deliveries';
  /** Channels this hub backed a delivery off for an outage: the first send that goes through on one ends the wait. */
  private readonly waitingOutOutage = new Set<string>();

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    private readonly registry: ChannelRegistry,
    private readonly channels: ChannelsService,
    private readonly events: ConversationEvents,
    private readonly consent: ConsentService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HUB_METRICS) private readonly metrics: HubMetrics,
    private readonly files: MessageFilesService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  onModuleInit(): void {
    this.resumable.register(this);
    // Both states are bounded by what is still to do or to look at; `done` rows are counted as they happen instead
    // (tsunagi_deliveries_total), since counting every delivery ever made at each scrape would grow without end.
    this.metrics.gaugeFromDatabase({
      name: 'tsunagi_outbox_deliveries',
      help: 'Deliveries of the outbox still pending, and failed for good, by state.',
      label: 'state',
      read: async () => ({
        pending: await this.db.delivery.count({ where: { state: 'pending' } }),
        failed: await this.db.delivery.count({ where: { state: 'failed' } }),
      }),
    });
    this.jobs.register<DeliverJob>(DELIVER, (job) => this.deliver(job), { concurrency: 4 });
  }

  async schedule(deliveryId: string, attempt: number, delayMs = 0, slotAt?: number): Promise<void> {
    const jobId = slotAt === undefined ? `deliver-${deliveryId}-${attempt}` : `deliver-${deliveryId}-${attempt}-at-${slotAt}`;
    // A job that throws before it claims its attempt (the database refused a read) runs again after a backoff; the
    // claim keeps a rerun from sending twice, and a failure after the claim schedules the next attempt itself.
    await this.jobs.add<DeliverJob>(DELIVER, { deliveryId, attempt, slotAt }, { jobId, delayMs, attempts: 5 });
  }

  /** Sends what waited for a visitor's proof of their address (the conversations it released). */
  async release(conversationIds: string[]): Promise<void> {
    if (conversationIds.length === 0) return;
    const held = await this.db.delivery.findMany({ where: { state: 'pending', message: { conversationId: { in: conversationIds } } }, select: { id: true, attempts: true } });
    for (const row of held) await this.schedule(row.id, row.attempts);
  }

  /** Takes up every delivery still pending, e.g. after a restart: nothing written is ever left unsent. */
  async resume(): Promise<number> {
    const pending = await this.db.delivery.findMany({ where: { state: 'pending' }, select: { id: true, attempts: true } });
    for (const row of pending) await this.schedule(row.id, row.attempts);
    return pending.length;
  }

  async deliver({ deliveryId, attempt, slotAt }: DeliverJob): Promise<void> {
    const delivery = await deliveryToSend(this.db, deliveryId);
    // Done, failed, or overtaken by a newer attempt: nothing to do.
    if (!delivery || delivery.state !== 'pending' || delivery.attempts !== attempt) return;
    // To an address a web visitor typed and has not proved (the message form): held, not lost; the proof releases it.
    if (delivery.awaitingClaimId) return;
    const channel = await this.channels.account(delivery.channelId);
    const adapter = channel ? this.registry.get(channel.provider) : null;
    const outbound: OutboundMessage = {
      messageId: delivery.messageId,
      conversationId: delivery.conversationId,
      to: ThreadKey.parse(delivery.threadKey),
      body: delivery.body,
      attachments: await this.files.outbound(delivery.teamId, delivery.messageId, delivery.attachments),
      author: { type: delivery.authorType === 'contact' ? 'system' : delivery.authorType, id: delivery.authorId, name: delivery.authorName },
      createdAt: delivery.createdAt,
      seq: delivery.seq.toString(),
      ...(delivery.template ? { template: delivery.template as unknown as OutboundTemplate } : {}),
      ...(delivery.products ? { products: outboundCards(delivery.products, this.config.publicUrl) } : {}),
      partsSent: delivery.partsSent,
      // Recorded under this attempt's claim: an attempt overtaken by another records nothing.
      partSent: async (count) => {
        await this.db.delivery.updateMany({ where: { id: deliveryId, state: 'pending', attempts: attempt + 1 }, data: { partsSent: count } });
      },
    };

    if (channel && adapter && slotAt === undefined) {
      // Wait for the channel's rate limit: book a slot, and come back then if it is not now. Waiting never
      // uses up an attempt and never drops the message.
      const rate = Number(channel.settings.sendsPerSecond ?? adapter.capabilities.sendsPerSecond);
      if (rate < UNLIMITED_SENDS_PER_SECOND) {
        const cost = adapter.sendCost?.(channel, outbound) ?? 1;
        const slot = await this.channels.reserveSendSlot(channel.id, (cost * 1000) / rate);
        if (slot.waitMs > 5) {
          await this.schedule(deliveryId, attempt, slot.waitMs, slot.at.getTime());
          return;
        }
      }
    }

    // Claim this attempt: one conditional update, so two workers holding the same row send it once.
    const { count } = await this.db.delivery.updateMany({ where: { id: deliveryId, state: 'pending', attempts: attempt }, data: { attempts: attempt + 1 } });
    if (count === 0) return;
    try {
      await this.attempt(deliveryId, attempt, channel, adapter, delivery, outbound);
    } catch (error) {
      // The attempt is claimed, so a rerun of this job would find it taken and do nothing: a database that refused
      // the send's record (a pool that could not start the transaction, a dropped connection) would leave the row
      // pending until some hub restarted. The next attempt is scheduled instead; a send that did go out is sent again
      // under the same message id, which LINE's retry key and the widget (by id) take once.
      logger.warn({ err: error, deliveryId }, 'delivery attempt not recorded; trying again');
      await this.schedule(deliveryId, attempt + 1, retryDelayMs(attempt + 1));
    }
  }

  private async attempt(
    deliveryId: string,
    attempt: number,
    channel: Awaited<ReturnType<ChannelsService['account']>>,
    adapter: ReturnType<ChannelRegistry['get']> | null,
    delivery: DeliveryToSend,
    outbound: OutboundMessage,
  ): Promise<void> {
    let result: SendResult;
    if (!channel || !adapter) {
      result = { ok: false, retry: false, code: 'channel_deleted', reason: 'The channel was deleted before this message could be sent.' };
    } else if (delivery.authorType !== 'system' && channel.type !== 'webchat' && (await this.consent.states(delivery.teamId, delivery.contactId))[channel.type as ConsentChannel] === 'opted_out') {
      // Checked again at the last moment: a STOP can arrive while a reply waits for its slot.
      result = { ok: false, retry: false, code: channel.type === 'line' ? 'not_following' : 'opted_out', reason: optedOutReason(channel.type) };
    } else {
      if (adapter.capabilities.replyTokens) outbound.replyToken = await this.takeReplyToken(delivery);
      if (adapter.threadDepth) outbound.earlier = await this.earlierMessages(delivery.conversationId, delivery.seq, adapter.threadDepth);
      try {
        result = await adapter.send(channel, outbound);
      } catch (error) {
        // An adapter that throws (a network error inside an SDK) is treated as a provider outage: retry.
        logger.warn({ err: error, deliveryId }, 'channel send threw');
        result = { ok: false, retry: true, code: 'provider_unreachable', reason: 'The provider could not be reached; retrying.' };
      }
    }
    await this.record(deliveryId, delivery.messageId, delivery.channelId, delivery.teamId, attempt + 1, result);
  }

  /**
   * The customer opted out (STOP, a LINE block): replies still waiting for this contact on this kind of channel
   * are not sent. Each fails with the reason, for the agent to see.
   */
  async cancelQueued(contactId: string, channelType: string, reason: string): Promise<void> {
    const pending = await this.db.delivery.findMany({
      where: { state: 'pending', message: { authorType: { not: 'system' }, conversation: { contactId }, channel: { type: channelType as never } } },
      select: { id: true, messageId: true, message: { select: { teamId: true } } },
    });
    for (const row of pending) {
      const { count } = await this.db.delivery.updateMany({
        where: { id: row.id, state: 'pending' },
        data: { state: 'failed', completedAt: this.clock.now(), lastError: `opted_out: ${reason}` },
      });
      if (count === 0) continue;
      this.metrics.deliveryFinished('failed');
      const message = await this.db.message.update({ where: { id: row.messageId }, data: { status: 'failed', error: reason, errorCode: channelType === 'line' ? 'not_following' : 'opted_out' } });
      this.events.emit('message.updated', { teamId: row.message.teamId, message: toMessageView(message) });
    }
  }

  /** The messages before this one that went to or came from the customer, oldest first (email threading). */
  private async earlierMessages(conversationId: string, seq: bigint, depth: number): Promise<EarlierMessage[]> {
    const rows = await this.db.message.findMany({
      where: { conversationId, seq: { lt: seq }, kind: { in: ['text', 'media'] }, blocked: false, status: { notIn: ['failed', 'pending_approval', 'rejected'] } },
      orderBy: { seq: 'desc' },
      take: depth,
      select: { id: true, direction: true, providerMessageId: true, content: true },
    });
    return rows.reverse().map((row) => ({
      messageId: row.id,
      direction: row.direction,
      providerMessageId: row.providerMessageId,
      content: (row.content ?? null) as MessageContent | null,
    }));
  }

  /** The conversation's reply token as the delivery read it, if still fresh, taken by exactly one send (a conditional update). */
  private async takeReplyToken({ conversationId, replyToken, replyTokenExpiresAt }: DeliveryToSend): Promise<string | undefined> {
    if (!replyToken || !replyTokenExpiresAt || replyTokenExpiresAt.getTime() <= this.clock.now().getTime()) return undefined;
    const { count } = await this.db.conversation.updateMany({
      where: { id: conversationId, replyToken },
      data: { replyToken: null, replyTokenExpiresAt: null },
    });
    return count === 1 ? replyToken : undefined;
  }

  private async record(deliveryId: string, messageId: string, channelId: string, teamId: string, attempts: number, result: SendResult): Promise<void> {
    let updated: MessageRow;
    if (result.ok) {
      const sent = await recordSent(this.db, { deliveryId, messageId, channelId, providerMessageId: result.providerMessageId, quoteToken: result.quoteToken ?? null, at: this.clock.now() });
      updated = sent.hasEarlyStatuses ? await this.applyEarlyStatuses(messageId, channelId, result.providerMessageId) : sent;
    } else {
      updated = await this.db.$transaction(async (tx: Tx) => {
        const failure = { error: result.reason, errorCode: result.code, errorDetails: result.details ?? Prisma.DbNull };
        if (result.retry) {
          await tx.delivery.update({ where: { id: deliveryId }, data: { lastError: `${result.code}: ${result.reason}` } });
          return tx.message.update({ where: { id: messageId }, data: failure });
        }
        await tx.delivery.update({ where: { id: deliveryId }, data: { state: 'failed', completedAt: this.clock.now(), lastError: `${result.code}: ${result.reason}` } });
        return tx.message.update({ where: { id: messageId }, data: { status: 'failed', ...failure } });
      });
    }
    if (result.ok || !result.retry) this.metrics.deliveryFinished(result.ok ? 'sent' : 'failed');
    this.events.emit('message.updated', { teamId, message: toMessageView(updated) });
    // A provider that said how long to wait (WhatsApp's per-customer limit) is waited for at least that long.
    if (!result.ok && result.retry) {
      if (OUTAGE_CODES.includes(result.code)) this.waitingOutOutage.add(channelId);
      await this.schedule(deliveryId, attempts, Math.max(retryDelayMs(attempts), result.retryAfterMs ?? 0));
    }
    if (result.ok && this.waitingOutOutage.delete(channelId)) await this.sendWaiting(channelId);
  }

  /** Status callbacks that beat the send's answer (held in early_statuses) apply now, the furthest one only. */
  private applyEarlyStatuses(messageId: string, channelId: string, providerMessageId: string): Promise<MessageRow> {
    return this.db.$transaction(async (tx: Tx) => {
      const early = await tx.earlyStatus.findMany({ where: { channelId, providerMessageId } });
      const report = furthest(early as { status: ReportedStatus; error: string | null; errorCode: string | null; errorDetails: unknown }[]);
      if (report) {
        await tx.message.updateMany({
          where: { id: messageId, status: { in: EARLIER_STATUSES[report.status] } },
          data: { status: report.status, error: report.error, errorCode: report.errorCode, errorDetails: report.errorDetails ?? Prisma.DbNull },
        });
        await tx.earlyStatus.deleteMany({ where: { channelId, providerMessageId } });
      }
      return tx.message.findUniqueOrThrow({ where: { id: messageId } });
    });
  }

  /**
   * The provider answers again: every delivery of the channel that an outage backed off (on any hub) is taken up now
   * instead of after its backoff, which by then may be minutes. Each still books its send slot, so the channel's
   * rate limit holds; the backoff's own job later finds its attempt taken and does nothing.
   */
  private async sendWaiting(channelId: string): Promise<void> {
    const waiting = await this.db.delivery.findMany({
      where: { state: 'pending', message: { channelId }, OR: OUTAGE_CODES.map((code) => ({ lastError: { startsWith: `${code}:` } })) },
      select: { id: true, attempts: true },
    });
    for (const row of waiting) {
      await this.jobs.add<DeliverJob>(DELIVER, { deliveryId: row.id, attempt: row.attempts }, { jobId: `deliver-${row.id}-${row.attempts}-provider-back`, attempts: 5 });
    }
    if (waiting.length > 0) logger.info({ channelId, deliveries: waiting.length }, 'provider answers again: deliveries that waited out its outage go now');
  }
}

/** Why nothing may be sent to a customer who opted out, as the agent reads it. */
export function optedOutReason(channelType: string): string {
  if (channelType === 'line') return 'The customer has blocked this LINE account; nothing can reach them until they add it as a friend again.';
  if (channelType === 'email') {
    return 'The customer unsubscribed from this mail (or reported it as spam); they must opt in again (reply START) before you can write.';
  }
  return 'The customer has opted out of messages on this channel (they sent STOP); they must opt in again (START) before you can write.';
}

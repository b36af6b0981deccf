import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { SECRET_BOX, SecretBox } from '../common/crypto/secret-box.js';
import { DATABASE } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { EventLog, eventStillLogged } from '../common/events/event-log.js';
import { logger } from '../common/logging/logger.js';
import { MAILER } from '../common/mail/mailer.js';
import type { Mailer } from '../common/mail/mailer.js';
import { OUTBOUND_GUARD } from '../common/outbound/index.js';
import type { OutboundGuard } from '../common/outbound/index.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { sendable } from './delivery-order.js';
import { DISABLE_AFTER_FAILING_MS, retryDelayMs } from './retry-schedule.js';
import { PING_EVENT_TYPE, WEBHOOKS_CONSUMER, subscribes, webhookBody } from './webhook-events.js';
import type { WebhookEvent } from './webhook-events.js';
import { WebhookSender } from './webhook.sender.js';
import type { AttemptOutcome } from './webhook.sender.js';

const DELIVER = 'webhooks.deliver';
const PRUNE = 'webhooks.prune';
const DAY_MS = 24 * 3_600_000;
/** The delivery log keeps attempts, and finished deliveries, this long. */
export const LOG_KEPT_MS = 30 * DAY_MS;

interface DeliverJob {
  deliveryId: string;
  /** The attempt count this job expects to find; a job that finds another was overtaken and does nothing. */
  attempt: number;
}

/** What the endpoint's secret is sealed bound to: it opens for this endpoint only. */
export const secretBinding = (endpointId: string) => `webhook-endpoint:${endpointId}`;

/**
 * Outgoing webhooks: `publish` writes one delivery row per endpoint that takes the event, and a job posts it. The row
 * is the truth (as in the outbox): a job only says "look at it now", an attempt is claimed with one conditional
 * update, and a restart or a Redis that lost its jobs schedules again from the rows. Failed attempts back off on the
 * hub's clock for 3 days; a delivery holds the later ones of its conversation to the same endpoint until it is done.
 */
@Injectable()
export class OutgoingWebhooksService implements OnModuleInit, ResumableWork {
  readonly name = 'outgoing webhook deliveries';
  private readonly sender: WebhookSender;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(OUTBOUND_GUARD) guard: OutboundGuard,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly eventLog: EventLog,
  ) {
    this.sender = new WebhookSender(guard, clock);
  }

  onModuleInit(): void {
    this.resumable.register(this);
    this.jobs.register<DeliverJob>(DELIVER, (job) => this.deliver(job), { concurrency: 4 });
    this.jobs.register(PRUNE, () => this.prune(), { concurrency: 1 });
  }

  /**
   * Delivers `event` to every enabled endpoint of its team subscribed to its type, or, with `endpointId`, to that
   * endpoint only (an automation rule's "send an outgoing webhook"), subscribed or not. Idempotent: an event id
   * already delivered (or on its way) to an endpoint is not written again. Answers how many deliveries it wrote.
   */
  async publish(event: WebhookEvent, options: { endpointId?: string } = {}): Promise<number> {
    const endpoints = await this.db.webhookEndpoint.findMany({
      where: { teamId: event.teamId, enabled: true, ...(options.endpointId ? { id: options.endpointId } : {}) },
      select: { id: true, events: true },
    });
    const targets = options.endpointId ? endpoints : endpoints.filter((endpoint) => subscribes(endpoint.events, event.type));
    if (targets.length === 0) return 0;
    const now = this.clock.now();
    const body = webhookBody(event);
    // One statement: all rows or none. The unique (endpoint, event) pair skips what an earlier publish wrote, which
    // that publish scheduled (or, had it died first, the start's resume does). Written while the event is held: an
    // event its contact's erasure deleted is never sent.
    const rows = await this.db.$transaction(async (tx: Tx) => {
      if (!(await eventStillLogged(tx, event.id))) return [];
      return tx.webhookDelivery.createManyAndReturn({
        data: targets.map((endpoint) => ({
          teamId: event.teamId,
          endpointId: endpoint.id,
          eventId: event.id,
          eventType: event.type,
          conversationId: event.conversationId,
          body,
          nextAttemptAt: now,
          createdAt: now,
        })),
        skipDuplicates: true,
        select: { id: true },
      });
    });
    for (const row of rows) await this.schedule(row.id, 0);
    return rows.length;
  }

  /** Every pending delivery of an enabled endpoint, due when its backoff ends; and the log's daily pruning. */
  async resume(): Promise<number> {
    const pending = await this.db.webhookDelivery.findMany({
      where: { state: 'pending', endpoint: { enabled: true } },
      select: { id: true, attempts: true, seq: true, endpointId: true, conversationId: true, nextAttemptAt: true },
    });
    const now = this.clock.now().getTime();
    // The later deliveries of a conversation are scheduled when the one before them is done.
    const heads = sendable(pending);
    for (const row of heads) await this.schedule(row.id, row.attempts, Math.max(0, row.nextAttemptAt.getTime() - now));
    await this.schedulePrune();
    return heads.length;
  }

  /**
   * Sends the endpoint's pending deliveries now rather than after their backoff: it was switched on, or (with
   * `unansweredOnly`) it answers again after an outage, which takes up only what got no answer: a delivery the
   * receiver refused (a 500 for that one event) keeps its backoff instead of being retried at every other success.
   * Each conversation's earliest only; the rest follow in order.
   */
  async sendWaiting(endpointId: string, options: { unansweredOnly?: boolean } = {}): Promise<number> {
    const pending = await this.db.webhookDelivery.findMany({
      where: { endpointId, state: 'pending', ...(options.unansweredOnly ? { lastStatus: null } : {}) },
      select: { id: true, attempts: true, seq: true, endpointId: true, conversationId: true },
    });
    const heads = sendable(pending);
    const now = this.clock.now().getTime();
    // A job id of its own: the backoff's job (same delivery and attempt) may still be waiting, and would swallow it.
    for (const row of heads) await this.schedule(row.id, row.attempts, 0, `now-${now}`);
    return heads.length;
  }

  /**
   * Sends a delivery again (failed, pending, or delivered: the receiver gets the same `webhook-id`), with a fresh
   * 3-day retry window. Answers false when the endpoint has no such delivery.
   */
  async replay(endpointId: string, deliveryId: string): Promise<boolean> {
    const now = this.clock.now();
    const { count } = await this.db.webhookDelivery.updateMany({ where: { id: deliveryId, endpointId }, data: { state: 'pending', failures: 0, completedAt: null, nextAttemptAt: now } });
    if (count === 0) return false;
    await this.sendWaiting(endpointId);
    return true;
  }

  /** Every delivery of the endpoint that failed for good, written since `since`, sent again. Answers how many. */
  async replayFailed(endpointId: string, since: Date): Promise<number> {
    const now = this.clock.now();
    const { count } = await this.db.webhookDelivery.updateMany({
      where: { endpointId, state: 'failed', createdAt: { gte: since } },
      data: { state: 'pending', failures: 0, completedAt: null, nextAttemptAt: now },
    });
    if (count > 0) await this.sendWaiting(endpointId);
    return count;
  }

  /**
   * A test event, attempted at once, even while the endpoint is switched off (to see whether it answers before
   * switching it on again). Answers the delivery's id; its attempt is in the log.
   */
  async ping(teamId: string, endpointId: string): Promise<string> {
    const now = this.clock.now();
    const event: WebhookEvent = { id: uuidv7(), teamId, type: PING_EVENT_TYPE, conversationId: null, data: { endpointId, message: 'Tsunagi test event' }, occurredAt: now };
    const row = await this.db.webhookDelivery.create({
      data: { teamId, endpointId, eventId: event.id, eventType: event.type, conversationId: null, body: webhookBody(event), nextAttemptAt: now, createdAt: now },
      select: { id: true },
    });
    await this.deliver({ deliveryId: row.id, attempt: 0 }, { evenIfDisabled: true });
    return row.id;
  }

  private async schedule(deliveryId: string, attempt: number, delayMs = 0, tag?: string): Promise<void> {
    const jobId = tag ? `${deliveryId}-${attempt}-${tag}` : `${deliveryId}-${attempt}`;
    // A job that throws before it claims its attempt (the database refused a read) runs again after a short backoff.
    await this.jobs.add<DeliverJob>(DELIVER, { deliveryId, attempt }, { jobId, delayMs, attempts: 5 });
  }

  async deliver({ deliveryId, attempt }: DeliverJob, options: { evenIfDisabled?: boolean } = {}): Promise<void> {
    const delivery = await this.db.webhookDelivery.findUnique({ where: { id: deliveryId }, include: { endpoint: true } });
    // Delivered, failed, or overtaken by a newer attempt: nothing to do.
    if (!delivery || delivery.state !== 'pending' || delivery.attempts !== attempt) return;
    // Switched off: kept pending; switching it on sends it.
    if (!delivery.endpoint.enabled && !options.evenIfDisabled) return;
    if (delivery.conversationId !== null) {
      const earlier = await this.db.webhookDelivery.findFirst({
        where: { endpointId: delivery.endpointId, conversationId: delivery.conversationId, state: 'pending', seq: { lt: delivery.seq } },
        select: { id: true },
      });
      // Held: the earlier one, once delivered or failed for good, schedules this one.
      if (earlier) return;
    }
    // Claim this attempt: one conditional update, so two workers holding the same row post it once.
    const { count } = await this.db.webhookDelivery.updateMany({ where: { id: deliveryId, state: 'pending', attempts: attempt }, data: { attempts: attempt + 1 } });
    if (count === 0) return;
    let outcome: AttemptOutcome;
    try {
      outcome = await this.sender.post(delivery.endpoint.url, this.signingSecrets(delivery.endpoint), delivery.eventId, delivery.body);
    } catch (error) {
      logger.error({ err: error, endpointId: delivery.endpointId }, 'webhook signing secret does not open');
      outcome = { ok: false, statusCode: null, durationMs: 0, responseBody: null, error: 'secret_unreadable: the signing secret does not open with this hub key; rotate it.' };
    }
    try {
      await this.record(delivery, attempt + 1, outcome);
    } catch (error) {
      // The attempt is claimed, so a rerun of this job would do nothing: the next attempt is scheduled instead. A post
      // that did go out goes again under the same webhook-id, which receivers dedupe by.
      logger.warn({ err: error, deliveryId }, 'webhook attempt not recorded; trying again');
      await this.schedule(deliveryId, attempt + 1, retryDelayMs(1) ?? 0);
    }
  }

  /** The endpoint's secret, and for 24 hours after a rotation the one before it (both sign). */
  private signingSecrets(endpoint: { id: string; secret: string; previousSecret: string | null; previousSecretUntil: Date | null }): string[] {
    const secrets = [this.box.open<string>(endpoint.secret, secretBinding(endpoint.id))];
    if (endpoint.previousSecret && endpoint.previousSecretUntil && endpoint.previousSecretUntil > this.clock.now()) {
      secrets.push(this.box.open<string>(endpoint.previousSecret, secretBinding(endpoint.id)));
    }
    return secrets;
  }

  private async record(
    delivery: { id: string; teamId: string; endpointId: string; conversationId: string | null; failures: number },
    attempts: number,
    outcome: AttemptOutcome,
  ): Promise<void> {
    const now = this.clock.now();
    const logged = this.db.webhookAttempt.create({
      data: {
        deliveryId: delivery.id,
        endpointId: delivery.endpointId,
        attemptedAt: now,
        ok: outcome.ok,
        statusCode: outcome.statusCode,
        durationMs: outcome.durationMs,
        responseBody: outcome.responseBody,
        error: outcome.error,
      },
    });
    if (outcome.ok) {
      await this.db.$transaction([
        logged,
        this.db.webhookDelivery.update({ where: { id: delivery.id }, data: { state: 'delivered', completedAt: now, failures: 0, lastStatus: outcome.statusCode, lastError: null } }),
      ]);
      if (delivery.conversationId !== null) await this.sendNext(delivery.endpointId, delivery.conversationId, delivery.id);
      // It answers again after failing: what backed off meanwhile (other conversations) goes now, not hours later.
      const back = await this.db.webhookEndpoint.updateMany({ where: { id: delivery.endpointId, failingSince: { not: null } }, data: { failingSince: null } });
      if (back.count > 0) await this.sendWaiting(delivery.endpointId, { unansweredOnly: true });
      return;
    }
    const failures = delivery.failures + 1;
    const wait = retryDelayMs(failures);
    await this.db.$transaction([
      logged,
      this.db.webhookDelivery.update({
        where: { id: delivery.id },
        data: {
          failures,
          lastStatus: outcome.statusCode,
          lastError: outcome.error,
          ...(wait === null ? { state: 'failed', completedAt: now } : { nextAttemptAt: new Date(now.getTime() + wait) }),
        },
      }),
    ]);
    await this.db.webhookEndpoint.updateMany({ where: { id: delivery.endpointId, failingSince: null }, data: { failingSince: now } });
    if (wait === null) {
      logger.warn({ deliveryId: delivery.id, endpointId: delivery.endpointId }, 'webhook delivery failed for good after 3 days of retries');
      if (delivery.conversationId !== null) await this.sendNext(delivery.endpointId, delivery.conversationId, delivery.id);
    } else {
      await this.schedule(delivery.id, attempts, wait);
    }
    await this.disableIfFailing(delivery.teamId, delivery.endpointId, now);
  }

  /**
   * The conversation's first pending delivery to the endpoint, due when its backoff ends: the one it waited for is
   * gone (deleted by an erasure of what another contact wrote in the conversation).
   */
  async conversationFreed(endpointId: string, conversationId: string): Promise<void> {
    const next = await this.db.webhookDelivery.findFirst({ where: { endpointId, conversationId, state: 'pending' }, orderBy: { seq: 'asc' }, select: { id: true, attempts: true, nextAttemptAt: true } });
    if (next) await this.schedule(next.id, next.attempts, Math.max(0, next.nextAttemptAt.getTime() - this.clock.now().getTime()), 'freed');
  }

  /** The conversation's next pending delivery to the endpoint, now that the one before it is done. */
  private async sendNext(endpointId: string, conversationId: string, doneId: string): Promise<void> {
    const next = await this.db.webhookDelivery.findFirst({ where: { endpointId, conversationId, state: 'pending' }, orderBy: { seq: 'asc' }, select: { id: true, attempts: true } });
    // Named after the one it follows: a job of the same attempt may be running (it found this one held) and would
    // swallow a job of the same id.
    if (next) await this.schedule(next.id, next.attempts, 0, `after-${doneId}`);
  }

  /**
   * Switched off after 24 hours in which every attempt failed. One conditional update decides, so the alert goes
   * once however many attempts fail at that moment.
   */
  private async disableIfFailing(teamId: string, endpointId: string, now: Date): Promise<void> {
    const { count } = await this.db.webhookEndpoint.updateMany({
      where: { id: endpointId, enabled: true, failingSince: { lte: new Date(now.getTime() - DISABLE_AFTER_FAILING_MS) } },
      data: { enabled: false, disabledReason: 'failing', disabledAt: now },
    });
    if (count === 0) return;
    // Its events are no longer logged for it (switched on again, it is sent what was already waiting).
    await this.eventLog.interestChanged(WEBHOOKS_CONSUMER, teamId);
    const endpoint = await this.db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId }, select: { url: true, description: true } });
    const pending = await this.db.webhookDelivery.count({ where: { endpointId, state: 'pending' } });
    logger.warn({ endpointId, pending }, 'outgoing webhook switched off after failing for 24 hours');
    const admins = await this.db.member.findMany({ where: { teamId, role: 'administrator', deactivatedAt: null }, select: { email: true } });
    for (const admin of admins) await this.mailer.send(disabledMail(admin.email, endpoint, pending));
  }

  /** Drops attempts, and finished deliveries, older than 30 days; then sets the next day's pruning. */
  async prune(): Promise<void> {
    const before = new Date(this.clock.now().getTime() - LOG_KEPT_MS);
    const attempts = await this.db.webhookAttempt.deleteMany({ where: { attemptedAt: { lt: before } } });
    const deliveries = await this.db.webhookDelivery.deleteMany({ where: { state: { not: 'pending' }, completedAt: { lt: before } } });
    if (attempts.count + deliveries.count > 0) logger.info({ attempts: attempts.count, deliveries: deliveries.count }, 'webhook delivery log pruned');
    await this.schedulePrune();
  }

  private schedulePrune(): Promise<void> {
    const dueAt = (Math.floor(this.clock.now().getTime() / DAY_MS) + 1) * DAY_MS;
    // One per day: every hub's resume names the same job.
    return this.jobs.add(PRUNE, {}, { jobId: `prune-${dueAt}`, delayMs: dueAt - this.clock.now().getTime() });
  }
}

function disabledMail(to: string, endpoint: { url: string; description: string }, pending: number) {
  const name = endpoint.description ? `${endpoint.description} (${endpoint.url})` : endpoint.url;
  return {
    to,
    subject: 'Tsunagi: 送信Webhookを停止しました / An outgoing webhook was switched off',
    text: [
      `送信Webhook ${name} への送信が24時間続けて失敗したため、停止しました。`,
      `未送信の ${pending} 件は保留されています。受信側を直してから、管理画面の「Webhook」で有効に戻すと送信されます。`,
      '',
      `Every delivery to the outgoing webhook ${name} failed for 24 hours, so it was switched off.`,
      `${pending} deliveries are kept pending: fix the receiver, then enable the endpoint again on the Webhooks admin page to send them.`,
    ].join('\n'),
  };
}

import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { CLOCK } from '../../common/clock.js';
import type { Clock } from '../../common/clock.js';
import { SECRET_BOX } from '../../common/crypto/secret-box.js';
import type { SecretBox } from '../../common/crypto/secret-box.js';
import { DATABASE } from '../../common/database/database.js';
import type { Db } from '../../common/database/database.js';
import { JOB_QUEUE } from '../../common/jobs/index.js';
import type { JobQueue } from '../../common/jobs/index.js';
import { logger } from '../../common/logging/logger.js';
import { OutboundRefused } from '../../common/outbound/index.js';
import { RESUMABLE_WORK } from '../../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../../common/start/resumable-work.js';
import type { PushKind, PushLanguage, PushPayload } from './push.schema.js';
import { PushSubscriptionsService } from './push-subscriptions.service.js';
import { WEB_PUSH_SENDER } from './push.tokens.js';
import type { WebPushSender } from './web-push.sender.js';

const JOB = 'inbox.push';
/** 2 s, 4 s, 8 s ... about 4.5 hours in all; past that the row waits for the next start. */
const ATTEMPTS = 14;
const BACKOFF_MS = 2_000;
/** News other than an offer is worth telling for a day. */
const DEFAULT_LIFETIME_MS = 24 * 60 * 60 * 1000;

interface PushJob {
  deliveryId: string;
}

export interface PushNews {
  kind: PushKind;
  /** The payload in the subscription's language. */
  payload: (language: PushLanguage) => PushPayload;
  /** Past this the news is stale (an offer's expiry): not sent late. Default: a day. */
  expiresAt?: Date;
  urgency?: 'normal' | 'high';
}

/**
 * Pushes to members' devices, one `push_deliveries` row per subscription until the push service took it: the row is
 * the truth and the job only says "try now", so an outage of the push service (or of the hub) delays a push, never
 * loses it. A 404 or 410 from the push service removes the subscription (and what still waited for it).
 */
@Injectable()
export class PushDeliveriesService implements OnModuleInit, ResumableWork {
  readonly name = 'pushes to send';

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(WEB_PUSH_SENDER) private readonly sender: WebPushSender,
    private readonly subscriptions: PushSubscriptionsService,
  ) {}

  onModuleInit(): void {
    this.resumable.register(this);
    this.jobs.register<PushJob>(JOB, ({ deliveryId }, job) => this.deliver(deliveryId, job.attempt), { concurrency: 4 });
  }

  /** Writes a push for each subscription of the members named that wants this kind of news, then enqueues them. */
  async push(memberIds: string[], news: PushNews): Promise<number> {
    const targets = await this.subscriptions.targetsFor(memberIds, news.kind);
    if (targets.length === 0) return 0;
    const expiresAt = news.expiresAt ?? new Date(this.clock.now().getTime() + DEFAULT_LIFETIME_MS);
    const urgency = news.urgency ?? 'normal';
    const rows = targets.map((target) => {
      // The id is chosen here so that the sealed payload is bound to its own row (it cannot be moved to another).
      const id = uuidv7();
      return { id, subscriptionId: target.id, expiresAt, sealed: this.box.seal({ payload: news.payload(target.language as PushLanguage), urgency }, `push:${id}`) };
    });
    await this.db.pushDelivery.createMany({ data: rows });
    for (const row of rows) await this.enqueue(row.id);
    return rows.length;
  }

  async resume(): Promise<number> {
    const rows = await this.db.pushDelivery.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' } });
    for (const row of rows) await this.enqueue(row.id);
    return rows.length;
  }

  private enqueue(deliveryId: string): Promise<void> {
    return this.jobs.add<PushJob>(JOB, { deliveryId }, { jobId: deliveryId, attempts: ATTEMPTS, backoffMs: BACKOFF_MS });
  }

  private async deliver(deliveryId: string, attempt: number): Promise<void> {
    const row = await this.db.pushDelivery.findUnique({ where: { id: deliveryId }, include: { subscription: true } });
    if (!row) return; // sent by an earlier run of this job, or its subscription is gone
    const remainingMs = row.expiresAt.getTime() - this.clock.now().getTime();
    if (remainingMs <= 0) {
      logger.info({ deliveryId, subscriptionId: row.subscriptionId }, 'push dropped: its news expired before the push service took it');
      await this.db.pushDelivery.deleteMany({ where: { id: deliveryId } });
      return;
    }
    const { payload, urgency } = this.box.open<{ payload: PushPayload; urgency: 'normal' | 'high' }>(row.sealed, `push:${row.id}`);
    let outcome;
    try {
      // The push service keeps an undelivered push (a phone off) until the news expires, and no longer.
      outcome = await this.sender.send(row.subscription, JSON.stringify(payload), { ttlSeconds: remainingMs / 1000, urgency, topic: topicOf(payload.tag) });
    } catch (error) {
      if (error instanceof OutboundRefused) {
        logger.warn({ deliveryId, subscriptionId: row.subscriptionId, code: error.code }, 'push endpoint refused by the outbound guard; push dropped');
        await this.db.pushDelivery.deleteMany({ where: { id: deliveryId } });
        return;
      }
      logger.warn({ deliveryId, attempt, of: ATTEMPTS, reason: error instanceof Error ? error.message : String(error) }, 'push not taken by the push service; retrying');
      throw error;
    }
    if (outcome.kind === 'gone') {
      // Cascades to every push still waiting for it.
      await this.db.pushSubscription.deleteMany({ where: { id: row.subscriptionId } });
      logger.info({ subscriptionId: row.subscriptionId, status: outcome.status }, 'push subscription gone (the browser dropped it); removed');
      return;
    }
    if (outcome.kind === 'refused') logger.warn({ deliveryId, subscriptionId: row.subscriptionId, status: outcome.status }, 'push refused by the push service; not tried again');
    await this.db.pushDelivery.deleteMany({ where: { id: deliveryId } });
  }
}

/** RFC 8030 5.4: a topic is at most 32 characters of the URL-safe base64 alphabet. */
function topicOf(tag: string): string {
  return tag.replace(/[^A-Za-z0-9_-]/g, '').slice(-32);
}

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import {
  assertJobName,
  resolveConcurrency,
  resolveJobOptions,
  type JobHandler,
  type JobLogger,
  type JobOptions,
  type JobQueue,
  type JobQueueDepth,
  type RegisterOptions,
} from './job-queue.js';

export interface BullMqJobQueueOptions {
  redisUrl: string;
  /** Redis key prefix; tests pass a unique one per run to stay apart. Default 'tsunagi'. */
  prefix?: string;
  logger?: JobLogger;
  /** How often the store is checked for a loss besides each reconnection. Default {@link STORE_CHECK_MS}. */
  storeCheckMs?: number;
}

interface Registration {
  handler: JobHandler<unknown>;
  concurrency: number;
  queue: Queue<unknown>;
}

type State = 'created' | 'started' | 'paused' | 'stopping' | 'stopped';

const IDLE_POLL_MS = 20;
/**
 * A Redis restarted without persistence comes back empty and the connections simply reconnect; a flush leaves them
 * connected. Every reconnection is checked, and every 5 s besides: one EXISTS-like command per hub.
 */
export const STORE_CHECK_MS = 5_000;
/**
 * How long a hub's claim on a rebuild lasts: a hub that dies while rebuilding leaves it to lapse, and another hub
 * rebuilds. Far longer than a rebuild takes (one job add per pending row).
 */
const REBUILD_CLAIM_MS = 10 * 60_000;

/*
 * BullMQ refuses custom job ids that contain ':' (its key separator) or that look like integers
 * (they could collide with its own counter ids). Our ids are entity ids and may be either, so every
 * custom id gets a prefix and '%' / ':' are escaped; the handler sees the original id again.
 */
const CUSTOM_ID_PREFIX = 'id-';

export function toBullMqJobId(jobId: string): string {
  return CUSTOM_ID_PREFIX + jobId.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'));
}

export function fromBullMqJobId(bullId: string): string {
  // Ids without the prefix are BullMQ's own counter ids, given when add() had no jobId.
  if (!bullId.startsWith(CUSTOM_ID_PREFIX)) return bullId;
  return bullId.slice(CUSTOM_ID_PREFIX.length).replace(/%(25|3A)/g, (_, hex: string) => (hex === '25' ? '%' : ':'));
}

/**
 * The {@link JobQueue} on Redis: one BullMQ queue and worker per job name, so that concurrency is
 * per name and a slow kind of job never starves the others.
 */
export class BullMqJobQueue implements JobQueue {
  private readonly prefix: string;
  private readonly logger: JobLogger;
  /** Queues only write; failing fast in an outage beats an HTTP request hanging on add(). */
  private readonly producer: Redis;
  /** Workers block on Redis; BullMQ demands `maxRetriesPerRequest: null` for that. */
  private readonly consumer: Redis;
  private readonly registrations = new Map<string, Registration>();
  private readonly workers: Worker<unknown>[] = [];
  private state: State = 'created';
  /**
   * Present while the store holds what the hubs put in it: set before a rebuild reads its rows, so a store emptied
   * at any moment after is noticed (the key is gone) and rebuilt again.
   */
  private readonly marker: string;
  private readonly storeCheckMs: number;
  private rebuild: (() => Promise<void>) | null = null;
  private checking: Promise<void> | null = null;
  private storeWatch: NodeJS.Timeout | null = null;
  private readonly checkOnReconnect = () => void this.checkStore();

  constructor(options: BullMqJobQueueOptions) {
    this.prefix = options.prefix ?? 'tsunagi';
    this.marker = `${this.prefix}:jobs-intact`;
    this.storeCheckMs = options.storeCheckMs ?? STORE_CHECK_MS;
    this.logger = options.logger ?? new Logger(BullMqJobQueue.name);
    this.producer = new Redis(options.redisUrl);
    this.consumer = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    // Without a listener ioredis prints every reconnect attempt to stderr itself.
    for (const connection of [this.producer, this.consumer]) {
      connection.on('error', (error: Error) => this.logger.warn(`job queue redis connection: ${error.message}`));
    }
  }

  register<T>(name: string, handler: JobHandler<T>, options?: RegisterOptions): void {
    assertJobName(name);
    if (this.state !== 'created') throw new Error(`cannot register job "${name}" after start()`);
    if (this.registrations.has(name)) throw new Error(`job "${name}" is already registered`);
    const queue = new Queue<unknown>(name, { connection: this.producer, prefix: this.prefix });
    queue.on('error', (error: Error) => this.logger.error(`job queue ${name}: ${error.message}`, error.stack));
    this.registrations.set(name, {
      // Safe: add() is the only way in, and its data is the handler's T by the caller's contract.
      handler: handler as JobHandler<unknown>,
      concurrency: resolveConcurrency(options),
      queue,
    });
  }

  async add<T>(name: string, data: T, options?: JobOptions): Promise<void> {
    const registration = this.registrations.get(name);
    if (!registration) throw new Error(`no handler registered for job "${name}"`);
    if (this.state === 'stopped') throw new Error(`cannot add job "${name}": the queue is stopped`);
    const { delayMs, attempts, backoffMs } = resolveJobOptions(options);
    // A job id that is waiting, delayed or active makes BullMQ return the existing job; removing
    // finished jobs frees the id again, which "after completion the same id runs again" relies on.
    await registration.queue.add(name, data, {
      jobId: options?.jobId === undefined ? undefined : toBullMqJobId(options.jobId),
      delay: delayMs,
      attempts,
      backoff: { type: 'exponential', delay: backoffMs },
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  async watchForLoss(rebuild: () => Promise<void>): Promise<void> {
    this.rebuild = rebuild;
    await this.producer.set(this.marker, randomUUID());
    // 'ready' follows every reconnection: a Redis that restarted empty is rebuilt as soon as it answers.
    this.producer.on('ready', this.checkOnReconnect);
    this.storeWatch = setInterval(this.checkOnReconnect, this.storeCheckMs);
    this.storeWatch.unref();
  }

  /**
   * Rebuilds when the marker is gone, once at a time in this process and, through a claim in Redis, in the cluster. A
   * hub that is stopping (paused) leaves it to the others, or to its own next start.
   */
  private checkStore(): Promise<void> {
    if (this.checking || !this.rebuild || (this.state !== 'created' && this.state !== 'started')) return this.checking ?? Promise.resolve();
    this.checking = this.rebuildIfLost(this.rebuild).finally(() => (this.checking = null));
    return this.checking;
  }

  private async rebuildIfLost(rebuild: () => Promise<void>): Promise<void> {
    const claim = `rebuilding-${randomUUID()}`;
    let claimed: string | null;
    try {
      // NX: of the hubs that find the marker gone, one takes the rebuild; the others find the claim and wait for the
      // next check. A claim that lapses (its hub died) is taken by another.
      claimed = await this.producer.set(this.marker, claim, 'PX', REBUILD_CLAIM_MS, 'NX');
    } catch {
      return; // Redis is unreachable: the reconnection checks again.
    }
    if (claimed !== 'OK') return;
    this.logger.warn(`job store under "${this.prefix}" lost its jobs (Redis restarted empty or was flushed): rebuilding them from the database`);
    try {
      await rebuild();
    } catch (error) {
      // The next check claims and rebuilds again; the rows are still the truth.
      await this.producer.del(this.marker).catch(() => undefined);
      this.logger.error(`job store rebuild failed: ${error instanceof Error ? error.message : String(error)}`, error instanceof Error ? error.stack : undefined);
      return;
    }
    // XX: only while a claim is there. If the store was emptied again meanwhile, the claim went with it, the marker
    // stays missing and the next check rebuilds once more.
    const kept = await this.producer.set(this.marker, randomUUID(), 'XX').catch(() => null);
    if (kept === 'OK') this.logger.warn(`job store under "${this.prefix}" rebuilt`);
  }

  async start(): Promise<void> {
    if (this.state !== 'created') return;
    this.state = 'started';
    for (const [name, registration] of this.registrations) {
      const worker = new Worker<unknown>(name, (job) => this.process(registration, job), {
        connection: this.consumer,
        prefix: this.prefix,
        concurrency: registration.concurrency,
        autorun: false,
      });
      worker.on('failed', (job, error) => this.onFailed(name, job, error));
      worker.on('error', (error) => this.logger.error(`job worker ${name}: ${error.message}`, error.stack));
      this.workers.push(worker);
      // run() settles only when the worker closes.
      worker.run().catch((error: unknown) => this.logger.error(`job worker ${name} stopped: ${String(error)}`));
    }
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
  }

  async pause(): Promise<void> {
    if (this.state !== 'created' && this.state !== 'started') return;
    this.state = 'paused';
    // A closing worker takes no new job and waits for its running ones; the queues stay open for adds.
    await Promise.all(this.workers.map((worker) => worker.close()));
  }

  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    this.stopWatchingStore();
    await this.checking;
    // Workers first: their running handlers may still add follow-up jobs through the queues. (Closed already after
    // pause(); closing again waits for the same close.)
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all([...this.registrations.values()].map(({ queue }) => queue.close()));
    await Promise.all([this.producer.quit(), this.consumer.quit()]);
    this.state = 'stopped';
  }

  private stopWatchingStore(): void {
    if (this.storeWatch) clearInterval(this.storeWatch);
    this.producer.off('ready', this.checkOnReconnect);
  }

  async idle(): Promise<void> {
    // Two quiet polls in a row: the queues are read one after another, so a handler in one queue
    // could add to another that was already read as empty, then finish before its own is read.
    let quietPolls = 0;
    while (quietPolls < 2 && this.state !== 'stopped') {
      quietPolls = (await this.hasDueOrRunningJobs()) ? 0 : quietPolls + 1;
      if (quietPolls < 2) await sleep(IDLE_POLL_MS);
    }
  }

  async depth(): Promise<JobQueueDepth[]> {
    return Promise.all(
      [...this.registrations].map(async ([name, { queue }]) => {
        const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
        const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
        // The wait list's far end holds the job taken next, the one that has waited longest.
        const [oldest] = waiting > 0 ? await queue.getJobs(['waiting'], 0, 0, true) : [];
        // BullMQ stamps its jobs with wall time, not the hub's clock. A retry counts from its first due time.
        const waitedMs = oldest ? Date.now() - (oldest.timestamp + (oldest.opts.delay ?? 0)) : 0;
        return { name, waiting, delayed: counts.delayed ?? 0, active: counts.active ?? 0, oldestWaitingSeconds: Math.max(0, waitedMs) / 1000 };
      }),
    );
  }

  private async hasDueOrRunningJobs(): Promise<boolean> {
    for (const { queue } of this.registrations.values()) {
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'active');
      if (Object.values(counts).some((count) => count > 0)) return true;
      // A delayed job whose time has come counts until the worker has moved it to waiting. BullMQ runs delays on
      // wall time (its own timestamps), so this is asked in wall time too.
      if ((await queue.getDelayedCount(Date.now() + 1)) > 0) return true;
    }
    return false;
  }

  private async process(registration: Registration, job: Job<unknown>): Promise<void> {
    // attemptsMade counts failed attempts so far; stalls move a job back without counting.
    await registration.handler(job.data, { id: fromBullMqJobId(job.id ?? ''), attempt: job.attemptsMade + 1 });
  }

  private onFailed(name: string, job: Job<unknown> | undefined, error: Error): void {
    if (!job) {
      this.logger.error(`job ${name} failed: ${error.message}`, error.stack);
      return;
    }
    const id = fromBullMqJobId(job.id ?? '');
    const attempts = job.opts.attempts ?? 1;
    // By now BullMQ has counted this attempt, and has either delayed the retry or removed the job.
    if (job.attemptsMade < attempts) {
      this.logger.warn(`job ${name} ${id} failed on attempt ${job.attemptsMade}/${attempts}: ${error.message}`);
      return;
    }
    this.logger.error(`job ${name} ${id} failed for good on attempt ${job.attemptsMade}/${attempts}: ${error.message}`, error.stack);
  }
}

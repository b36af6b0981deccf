import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { systemClock } from '../clock.js';
import type { Clock } from '../clock.js';
import {
  assertJobName,
  backoffDelay,
  resolveConcurrency,
  resolveJobOptions,
  type JobContext,
  type JobHandler,
  type JobLogger,
  type JobOptions,
  type JobQueue,
  type JobQueueDepth,
  type RegisterOptions,
} from './job-queue.js';

interface PendingJob {
  name: string;
  id: string;
  data: unknown;
  attempt: number;
  attempts: number;
  backoffMs: number;
  dueAt: number;
  /** Its handler runs now (a job stays in its lane's `jobs` until it is done). */
  running: boolean;
  cancelTimer?: () => void;
}

interface Lane {
  handler: JobHandler<unknown>;
  concurrency: number;
  running: number;
  /** Due jobs in arrival order, waiting for a free slot. */
  ready: PendingJob[];
  /** Every job of this name that is waiting, delayed or running, by id: the de-dup set. */
  jobs: Map<string, PendingJob>;
}

type State = 'created' | 'started' | 'paused' | 'stopping' | 'stopped';

/**
 * The {@link JobQueue} of a single process without Redis: timers and promises. Nothing survives a
 * restart; the database row is the truth and boot re-enqueues from it. Due times and timers follow the
 * hub's {@link Clock}, so a test that moves its clock runs the jobs that have come due without waiting.
 */
export class InProcessJobQueue implements JobQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly running = new Set<Promise<void>>();
  private idleWaiters: Array<() => void> = [];
  private state: State = 'created';

  constructor(
    private readonly logger: JobLogger = new Logger(InProcessJobQueue.name),
    private readonly clock: Clock = systemClock,
  ) {}

  register<T>(name: string, handler: JobHandler<T>, options?: RegisterOptions): void {
    assertJobName(name);
    if (this.state !== 'created') throw new Error(`cannot register job "${name}" after start()`);
    if (this.lanes.has(name)) throw new Error(`job "${name}" is already registered`);
    this.lanes.set(name, {
      // Safe: add() is the only way in, and its data is the handler's T by the caller's contract.
      handler: handler as JobHandler<unknown>,
      concurrency: resolveConcurrency(options),
      running: 0,
      ready: [],
      jobs: new Map(),
    });
  }

  async add<T>(name: string, data: T, options?: JobOptions): Promise<void> {
    const lane = this.lane(name);
    if (this.state === 'stopped') throw new Error(`cannot add job "${name}": the queue is stopped`);
    const { delayMs, attempts, backoffMs } = resolveJobOptions(options);
    const id = options?.jobId ?? randomUUID();
    if (lane.jobs.has(id)) return;
    const job: PendingJob = {
      name,
      id,
      // The round trip BullMQ does anyway: a Date or an entity slipping into job data shows up
      // here, in unit tests, rather than only on Redis.
      data: data === undefined ? undefined : JSON.parse(JSON.stringify(data)),
      attempt: 1,
      attempts,
      backoffMs,
      dueAt: this.now() + delayMs,
      running: false,
    };
    lane.jobs.set(id, job);
    if (this.state === 'started') this.schedule(lane, job);
  }

  /** Nothing held here is lost while the process runs: the start's rebuild is the only one. */
  async watchForLoss(): Promise<void> {}

  async start(): Promise<void> {
    if (this.state !== 'created') return;
    this.state = 'started';
    for (const lane of this.lanes.values()) {
      for (const job of lane.jobs.values()) this.schedule(lane, job);
    }
  }

  async pause(): Promise<void> {
    if (this.state === 'created' || this.state === 'started') this.state = 'paused';
    // Jobs that come due or are added meanwhile wait in their lane: pump() runs nothing unless started.
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    for (const lane of this.lanes.values()) {
      for (const job of lane.jobs.values()) job.cancelTimer?.();
      lane.ready = [];
    }
    // Handlers that finish now may add follow-up jobs; those are kept until the loop ends and
    // then dropped with the rest.
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    for (const lane of this.lanes.values()) lane.jobs.clear();
    this.state = 'stopped';
    this.notifyIdle();
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async depth(): Promise<JobQueueDepth[]> {
    const now = this.now();
    return [...this.lanes].map(([name, lane]) => {
      let waiting = 0;
      let delayed = 0;
      let oldestDueAt = now;
      for (const job of lane.jobs.values()) {
        if (job.running) continue;
        if (job.dueAt > now) {
          delayed += 1;
          continue;
        }
        waiting += 1;
        oldestDueAt = Math.min(oldestDueAt, job.dueAt);
      }
      return { name, waiting, delayed, active: lane.running, oldestWaitingSeconds: (now - oldestDueAt) / 1000 };
    });
  }

  private lane(name: string): Lane {
    const lane = this.lanes.get(name);
    if (!lane) throw new Error(`no handler registered for job "${name}"`);
    return lane;
  }

  private schedule(lane: Lane, job: PendingJob): void {
    if (job.dueAt <= this.now()) {
      lane.ready.push(job);
      this.pump(lane);
      return;
    }
    // The clock's timers never keep a process or a test alive (a 90-second offer timeout, say).
    job.cancelTimer = this.clock.setTimer(new Date(job.dueAt), () => {
      job.cancelTimer = undefined;
      lane.ready.push(job);
      this.pump(lane);
    });
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  private pump(lane: Lane): void {
    while (this.state === 'started' && lane.running < lane.concurrency) {
      const job = lane.ready.shift();
      if (!job) return;
      lane.running += 1;
      const run = this.run(lane, job).finally(() => {
        lane.running -= 1;
        this.running.delete(run);
        this.pump(lane);
        this.notifyIdle();
      });
      this.running.add(run);
    }
  }

  private async run(lane: Lane, job: PendingJob): Promise<void> {
    const context: JobContext = { id: job.id, attempt: job.attempt };
    job.running = true;
    try {
      await lane.handler(job.data, context);
      lane.jobs.delete(job.id);
    } catch (error) {
      job.running = false;
      const reason = error instanceof Error ? error.message : String(error);
      if (job.attempt < job.attempts) {
        this.logger.warn(`job ${job.name} ${job.id} failed on attempt ${job.attempt}/${job.attempts}: ${reason}`);
        // While stopping, the retry would be lost with the other pending jobs anyway.
        if (this.state !== 'started') return;
        job.dueAt = this.now() + backoffDelay(job.backoffMs, job.attempt);
        job.attempt += 1;
        this.schedule(lane, job);
        return;
      }
      // Dropped, not rethrown: nobody awaits a job, and the row it points at is still there for
      // boot or a sweeper to pick up again.
      lane.jobs.delete(job.id);
      this.logger.error(
        `job ${job.name} ${job.id} failed for good on attempt ${job.attempt}/${job.attempts}: ${reason}`,
        error instanceof Error ? error.stack : undefined,
      );
    }
  }

  private isIdle(): boolean {
    if (this.state === 'stopped') return true;
    const now = this.now();
    for (const lane of this.lanes.values()) {
      if (lane.running > 0 || lane.ready.length > 0) return false;
      // With nothing running or ready, the rest are on a timer or wait for start(); a due one
      // of those (a timer about to fire) is not idle yet.
      for (const job of lane.jobs.values()) if (job.dueAt <= now) return false;
    }
    return true;
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

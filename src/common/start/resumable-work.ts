import { logger } from '../logging/logger.js';

/**
 * Work a restart must take up again: rows that say something is still to do (a delivery, a timer, a report) while
 * the job that would do it was lost with the process, or with a Redis that restarted empty. `resume` schedules it
 * again and answers how many it found; it is safe to run on every start and while the hub runs (the job may still be
 * queued, or running), because the rows are the truth, jobIds dedupe and a job run twice is harmless.
 */
export interface ResumableWork {
  /** Said in the start-up log: `outbox`, `offer timers`. */
  readonly name: string;
  /**
   * `process` for work this process runs itself rather than through jobs (the steps after an inbound message): lost
   * only with the process, so it is taken up at start but not when the job store lost its jobs, where running it
   * again would race the process still doing it. Default `jobs`.
   */
  readonly heldBy?: 'jobs' | 'process';
  resume(): Promise<number>;
}

/**
 * The resumable work of this process. Each service registers itself when its module starts, so the composition root
 * takes it all up with one call and names none of them.
 */
export class ResumableWorkRegistry {
  private readonly works: ResumableWork[] = [];

  register(work: ResumableWork): void {
    this.works.push(work);
  }

  /**
   * One after another, in the order they registered (a module's dependencies start first). Run before the job
   * workers start, so nothing is handled before it is scheduled again, and again while they run when the job store
   * lost its jobs (`JobQueue.watchForLoss`), then without the work a process holds itself (`jobsOnly`).
   */
  async resumeAll(options: { jobsOnly?: boolean } = {}): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const work of this.works) {
      if (options.jobsOnly && work.heldBy === 'process') continue;
      counts[work.name] = await work.resume();
      if (counts[work.name] > 0) logger.info({ work: work.name, count: counts[work.name] }, 'work taken up again');
    }
    return counts;
  }
}

export const RESUMABLE_WORK = Symbol('ResumableWork');

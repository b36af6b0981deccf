import { logger } from '../logging/logger.js';

/**
 * Work a restart must take up again: rows that say something is still to do (a delivery, a timer, a report) while
 * the job that would do it was lost with the process. `resume` schedules it again and answers how many it found; it
 * is safe to run on every start, because the rows are the truth and a job run twice is harmless.
 */
export interface ResumableWork {
  /** Said in the start-up log: `outbox`, `offer timers`. */
  readonly name: string;
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
   * workers start, so nothing is handled before it is scheduled again.
   */
  async resumeAll(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const work of this.works) {
      counts[work.name] = await work.resume();
      if (counts[work.name] > 0) logger.info({ work: work.name, count: counts[work.name] }, 'work taken up again at start');
    }
    return counts;
  }
}

export const RESUMABLE_WORK = Symbol('ResumableWork');

import { describe, expect, it, jest } from '@jest/globals';
import { InProcessJobQueue } from './in-process-job-queue.js';
import { describeJobQueueContract, RecordingJobLogger } from './job-queue.contract.js';
import { MovableClock } from '../../../test/support/movable-clock.js';

describeJobQueueContract(InProcessJobQueue.name, async (logger) => new InProcessJobQueue(logger));

describe(InProcessJobQueue.name, () => {
  // A 90-second offer timeout must not hold a finished test run or a stopping process open.
  it('unrefs the timers of delayed jobs', async () => {
    const queue = new InProcessJobQueue(new RecordingJobLogger());
    queue.register('timeout', async () => undefined);
    await queue.start();
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
    await queue.add('timeout', {}, { delayMs: 90_000 });
    const timer = setTimeoutSpy.mock.results.at(-1)?.value as NodeJS.Timeout;
    setTimeoutSpy.mockRestore();
    expect(timer.hasRef()).toBe(false);
    await queue.stop();
  });

  it('drops pending jobs on stop() and lets idle() resolve', async () => {
    const queue = new InProcessJobQueue(new RecordingJobLogger());
    let runs = 0;
    queue.register('later', async () => {
      runs += 1;
    });
    await queue.add('later', {});
    await queue.stop();
    await queue.idle();
    expect(runs).toBe(0);
  });

  // Guards tests that slept through offer timeouts and retry backoffs: the queue's due times and timers follow
  // the hub's clock, so moving a test clock runs what has come due at once.
  it('runs a delayed job, and a retry after its backoff, when its clock is moved past them, not before', async () => {
    const clock = new MovableClock(new Date('2026-12-04T08:00:00Z'));
    const queue = new InProcessJobQueue(new RecordingJobLogger(), clock);
    const runs: Array<{ attempt: number; at: string }> = [];
    queue.register('deadline', async (_data, job) => {
      runs.push({ attempt: job.attempt, at: clock.now().toISOString() });
      if (job.attempt === 1) throw new Error('provider down');
    });
    await queue.start();
    await queue.add('deadline', {}, { delayMs: 90_000, attempts: 2, backoffMs: 60_000 });
    clock.advance(89_999);
    await queue.idle();
    expect(runs).toEqual([]);
    clock.advance(1);
    await queue.idle();
    expect(runs).toEqual([{ attempt: 1, at: '2026-12-04T08:01:30.000Z' }]);
    clock.advance(60_000);
    await queue.idle();
    expect(runs.map((run) => run.attempt)).toEqual([1, 2]);
    await queue.stop();
  });
});

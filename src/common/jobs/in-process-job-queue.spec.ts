import { describe, expect, it, jest } from '@jest/globals';
import { InProcessJobQueue } from './in-process-job-queue.js';
import { describeJobQueueContract, RecordingJobLogger } from './job-queue.contract.js';

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
});

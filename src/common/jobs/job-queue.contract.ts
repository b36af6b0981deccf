import { afterEach, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobContext, JobLogger, JobQueue } from './job-queue.js';

/** Keeps what the queue logged, so a test can tell a retry from a give-up. */
export class RecordingJobLogger implements JobLogger {
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  warn(message: string): void {
    this.warnings.push(message);
  }
  error(message: string): void {
    this.errors.push(message);
  }
}

const WAIT_LIMIT_MS = 4_000;
const TEST_TIMEOUT_MS = 10_000;

async function waitFor(what: string, done: () => boolean, limitMs = WAIT_LIMIT_MS): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

async function withinLimit<T>(what: string, promise: Promise<T>, limitMs = WAIT_LIMIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${limitMs} ms waiting for ${what}`)), limitMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Run {
  data: unknown;
  job: JobContext;
  at: number;
}

/**
 * The behaviour every {@link JobQueue} adapter owes its callers, run once per adapter so that what
 * passes on the in-process runner in unit tests also holds on BullMQ in production.
 * `makeQueue` must return a fresh, unstarted queue that shares nothing with earlier ones.
 */
export function describeJobQueueContract(
  name: string,
  makeQueue: (logger: JobLogger) => Promise<JobQueue>,
  teardown: (queue: JobQueue) => Promise<void> = (queue) => queue.stop(),
): void {
  describe(`${name} (JobQueue contract)`, () => {
    let queue: JobQueue | undefined;
    let logger: RecordingJobLogger;

    async function setUp(): Promise<JobQueue> {
      logger = new RecordingJobLogger();
      queue = await makeQueue(logger);
      return queue;
    }

    /** Registers a handler that records its runs and hands them to the test. */
    function recorder(q: JobQueue, jobName: string, behave?: (run: Run) => Promise<void>): Run[] {
      const runs: Run[] = [];
      q.register<unknown>(jobName, async (data, job) => {
        const run = { data, job, at: Date.now() };
        runs.push(run);
        await behave?.(run);
      });
      return runs;
    }

    afterEach(async () => {
      if (queue) await withinLimit('teardown', teardown(queue));
      queue = undefined;
    });

    it('runs a job with its data, id and attempt number', async () => {
      const q = await setUp();
      const runs = recorder(q, 'greet');
      await q.start();
      await q.add('greet', { conversationId: 'c-1' }, { jobId: 'c-1' });
      await waitFor('the job to run', () => runs.length === 1);
      expect(runs[0].data).toEqual({ conversationId: 'c-1' });
      expect(runs[0].job).toEqual({ id: 'c-1', attempt: 1 });
    }, TEST_TIMEOUT_MS);

    it('makes up an id when none is given', async () => {
      const q = await setUp();
      const runs = recorder(q, 'anon');
      await q.start();
      await q.add('anon', { n: 1 });
      await q.add('anon', { n: 2 });
      await waitFor('both jobs to run', () => runs.length === 2);
      expect(runs[0].job.id).not.toEqual(runs[1].job.id);
    }, TEST_TIMEOUT_MS);

    // Job data goes through JSON on Redis; the in-process runner must not let a Date (or an
    // entity) through where BullMQ would hand the handler a string.
    it('hands the handler a JSON copy of the data', async () => {
      const q = await setUp();
      const runs = recorder(q, 'json');
      await q.start();
      const data = { at: new Date('2030-01-02T03:04:05.000Z'), ids: ['a', 'b'] };
      await q.add('json', data);
      await waitFor('the job to run', () => runs.length === 1);
      expect(runs[0].data).toEqual({ at: '2030-01-02T03:04:05.000Z', ids: ['a', 'b'] });
      expect(runs[0].data).not.toBe(data);
    }, TEST_TIMEOUT_MS);

    it('does not run a delayed job before its delay and runs it after', async () => {
      const q = await setUp();
      const runs = recorder(q, 'later');
      await q.start();
      const addedAt = Date.now();
      await q.add('later', {}, { delayMs: 300 });
      await sleep(150);
      expect(runs).toHaveLength(0);
      await waitFor('the delayed job to run', () => runs.length === 1);
      // A few ms of slack: BullMQ rounds delayed timestamps to the millisecond on Redis' side.
      expect(runs[0].at - addedAt).toBeGreaterThanOrEqual(295);
    }, TEST_TIMEOUT_MS);

    it('retries with exponential backoff until an attempt succeeds', async () => {
      const q = await setUp();
      const runs = recorder(q, 'flaky', async ({ job }) => {
        if (job.attempt < 3) throw new Error(`provider hiccup ${job.attempt}`);
      });
      await q.start();
      await q.add('flaky', {}, { jobId: 'm-1', attempts: 3, backoffMs: 60 });
      await waitFor('the third attempt', () => runs.length === 3);
      expect(runs.map((r) => r.job)).toEqual([
        { id: 'm-1', attempt: 1 },
        { id: 'm-1', attempt: 2 },
        { id: 'm-1', attempt: 3 },
      ]);
      // 60 ms after the first failure, 120 ms after the second.
      expect(runs[1].at - runs[0].at).toBeGreaterThanOrEqual(55);
      expect(runs[2].at - runs[1].at).toBeGreaterThanOrEqual(115);
      await sleep(100);
      expect(runs).toHaveLength(3);
      expect(logger.warnings).toHaveLength(2);
      expect(logger.errors).toHaveLength(0);
    }, TEST_TIMEOUT_MS);

    it('gives up after the last attempt, logs it, and frees the job id', async () => {
      const q = await setUp();
      let failing = true;
      const runs = recorder(q, 'doomed', async () => {
        if (failing) throw new Error('always down');
      });
      await q.start();
      // Resolves: a job's failure is never thrown at whoever enqueued it.
      await q.add('doomed', {}, { jobId: 'r-1', attempts: 2, backoffMs: 20 });
      await waitFor('the give-up to be logged', () => logger.errors.length === 1);
      expect(runs).toHaveLength(2);
      expect(logger.errors[0]).toContain('doomed');
      expect(logger.errors[0]).toContain('r-1');
      await sleep(150);
      expect(runs).toHaveLength(2);

      failing = false;
      await q.add('doomed', {}, { jobId: 'r-1' });
      await waitFor('the same id to run again', () => runs.length === 3);
      expect(runs[2].job).toEqual({ id: 'r-1', attempt: 1 });
    }, TEST_TIMEOUT_MS);

    // The offer timeout and the slow-reply fallback are enqueued on every related event; only the
    // first may schedule anything.
    it('runs a duplicate jobId once while the first is still pending', async () => {
      const q = await setUp();
      const runs = recorder(q, 'offer-timeout');
      await q.start();
      await q.add('offer-timeout', { n: 1 }, { jobId: 'o-1', delayMs: 150 });
      // Due before the first: a duplicate that slipped through would be the first to run.
      await q.add('offer-timeout', { n: 2 }, { jobId: 'o-1', delayMs: 50 });
      await q.add('offer-timeout', { n: 3 }, { jobId: 'o-1' });
      await waitFor('the job to run', () => runs.length === 1);
      await withinLimit('the queue to go idle', q.idle());
      expect(runs).toHaveLength(1);
      expect(runs[0].data).toEqual({ n: 1 });
    }, TEST_TIMEOUT_MS);

    it('runs a duplicate jobId once while the first is running', async () => {
      const q = await setUp();
      let release = (): void => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      const runs = recorder(q, 'slow', () => released);
      await q.start();
      await q.add('slow', {}, { jobId: 's-1' });
      await waitFor('the job to start', () => runs.length === 1);
      await q.add('slow', {}, { jobId: 's-1' });
      release();
      await sleep(200);
      expect(runs).toHaveLength(1);
    }, TEST_TIMEOUT_MS);

    it('runs the same jobId again once the first has completed', async () => {
      const q = await setUp();
      const runs = recorder(q, 'again');
      await q.start();
      await q.add('again', { n: 1 }, { jobId: 'a-1' });
      await waitFor('the first run', () => runs.length === 1);
      await withinLimit('idle', q.idle());
      await q.add('again', { n: 2 }, { jobId: 'a-1' });
      await waitFor('the second run', () => runs.length === 2);
      expect(runs[1].data).toEqual({ n: 2 });
    }, TEST_TIMEOUT_MS);

    // Entity ids come in every shape; BullMQ alone refuses ':' and integer-like ids.
    it('accepts any string as jobId and hands it back unchanged', async () => {
      const q = await setUp();
      const runs = recorder(q, 'ids');
      await q.start();
      const ids = ['42', '0', 'team:7:conversation:9', 'a%3Ab', 'a:b', '%'];
      for (const jobId of ids) await q.add('ids', {}, { jobId });
      await waitFor('every id to run', () => runs.length === ids.length);
      expect(runs.map((r) => r.job.id).sort()).toEqual([...ids].sort());
    }, TEST_TIMEOUT_MS);

    it('keeps jobIds apart per job name', async () => {
      const q = await setUp();
      const first = recorder(q, 'first');
      const second = recorder(q, 'second');
      await q.start();
      await q.add('first', {}, { jobId: 'x-1' });
      await q.add('second', {}, { jobId: 'x-1' });
      await waitFor('both names to run', () => first.length === 1 && second.length === 1);
    }, TEST_TIMEOUT_MS);

    it('runs no more jobs of a name at once than its concurrency', async () => {
      const q = await setUp();
      let running = 0;
      let most = 0;
      let done = 0;
      q.register('limited', async () => {
        running += 1;
        most = Math.max(most, running);
        await sleep(80);
        running -= 1;
        done += 1;
      }, { concurrency: 2 });
      await q.start();
      for (let i = 0; i < 5; i += 1) await q.add('limited', { i });
      await waitFor('all jobs to finish', () => done === 5);
      expect(most).toBe(2);
    }, TEST_TIMEOUT_MS);

    it('runs jobs added before start() once started, delays counted from add()', async () => {
      const q = await setUp();
      const runs = recorder(q, 'early');
      const addedAt = Date.now();
      await q.add('early', { n: 1 });
      await q.add('early', { n: 2 }, { delayMs: 200 });
      await sleep(50);
      expect(runs).toHaveLength(0);
      await q.start();
      await waitFor('both jobs to run', () => runs.length === 2);
      expect(runs.map((r) => r.data)).toEqual([{ n: 1 }, { n: 2 }]);
      expect(runs[1].at - addedAt).toBeGreaterThanOrEqual(195);
    }, TEST_TIMEOUT_MS);

    it('waits in stop() for a running handler to finish', async () => {
      const q = await setUp();
      let finished = false;
      const runs = recorder(q, 'long', async () => {
        await sleep(200);
        finished = true;
      });
      await q.start();
      await q.add('long', {});
      await waitFor('the job to start', () => runs.length === 1);
      await withinLimit('stop', q.stop());
      expect(finished).toBe(true);
    }, TEST_TIMEOUT_MS);

    // Guards a stopping hub that refused the follow-up work of its last requests: paused, the queue runs nothing
    // more but still takes what is added, for later.
    it('waits in pause() for a running handler, then runs nothing more but still accepts adds', async () => {
      const q = await setUp();
      let finished = false;
      const runs = recorder(q, 'paused', async (run) => {
        if ((run.data as { n: number }).n === 1) await sleep(200);
        finished = true;
      });
      await q.start();
      await q.add('paused', { n: 1 });
      await waitFor('the job to start', () => runs.length === 1);
      await withinLimit('pause', q.pause());
      expect(finished).toBe(true);
      await q.add('paused', { n: 2 });
      await sleep(200);
      expect(runs).toHaveLength(1);
    }, TEST_TIMEOUT_MS);

    it('takes no new jobs after stop()', async () => {
      const q = await setUp();
      const runs = recorder(q, 'after-stop');
      await q.start();
      await q.add('after-stop', {}, { delayMs: 100 });
      await withinLimit('stop', q.stop());
      await sleep(200);
      expect(runs).toHaveLength(0);
      await expect(q.add('after-stop', {})).rejects.toThrow(/stopped/);
    }, TEST_TIMEOUT_MS);

    // Tests drain the queue and then assert; follow-up jobs that handlers enqueue are part of
    // the work, a far-off timer (the 90-second offer timeout) is not.
    it('resolves idle() once due jobs and their follow-ups ran, not waiting for future ones', async () => {
      const q = await setUp();
      const order: string[] = [];
      q.register<{ step: number }>('chain', async ({ step }) => {
        await sleep(30);
        order.push(`chain ${step}`);
        if (step < 3) await q.add('chain', { step: step + 1 });
        else await q.add('echo', {});
      });
      q.register('echo', async () => {
        await sleep(30);
        order.push('echo');
      });
      const far = recorder(q, 'far');
      await q.start();
      await q.add('far', {}, { delayMs: 60_000 });
      await q.add('chain', { step: 1 });
      await withinLimit('idle', q.idle());
      expect(order).toEqual(['chain 1', 'chain 2', 'chain 3', 'echo']);
      expect(far).toHaveLength(0);
    }, TEST_TIMEOUT_MS);

    // The metrics read this at every scrape: a queue that backs up shows as depth and as the age of its oldest due job.
    it('counts waiting, delayed and running jobs per name, and how long the oldest due job has waited', async () => {
      const q = await setUp();
      let release = (): void => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      const runs = recorder(q, 'backlog', () => released);
      recorder(q, 'quiet');
      await q.add('backlog', { n: 1 });
      await q.add('backlog', { n: 2 });
      await q.add('backlog', { n: 3 }, { delayMs: 60_000 });
      await sleep(120);
      const before = await q.depth();
      expect(before.find((d) => d.name === 'quiet')).toEqual({ name: 'quiet', waiting: 0, delayed: 0, active: 0, oldestWaitingSeconds: 0 });
      const backlog = before.find((d) => d.name === 'backlog');
      expect(backlog).toMatchObject({ waiting: 2, delayed: 1, active: 0 });
      expect(backlog!.oldestWaitingSeconds).toBeGreaterThanOrEqual(0.1);
      expect(backlog!.oldestWaitingSeconds).toBeLessThan(5);

      await q.start();
      await waitFor('both due jobs to start', () => runs.length === 2);
      expect((await q.depth()).find((d) => d.name === 'backlog')).toEqual({ name: 'backlog', waiting: 0, delayed: 1, active: 2, oldestWaitingSeconds: 0 });
      release();
      await withinLimit('idle', q.idle());
      expect((await q.depth()).find((d) => d.name === 'backlog')).toMatchObject({ waiting: 0, delayed: 1, active: 0 });
    }, TEST_TIMEOUT_MS);

    it('refuses unknown job names and names with a colon', async () => {
      const q = await setUp();
      expect(() => q.register('a:b', async () => undefined)).toThrow(/':'/);
      await expect(q.add('nobody-handles-this', {})).rejects.toThrow(/no handler/);
    }, TEST_TIMEOUT_MS);
  });
}

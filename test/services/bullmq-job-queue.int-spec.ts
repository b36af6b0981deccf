import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { BullMqJobQueue, fromBullMqJobId, toBullMqJobId } from '../../src/common/jobs/bullmq-job-queue.js';
import { describeJobQueueContract, RecordingJobLogger } from '../../src/common/jobs/job-queue.contract.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// One prefix per run and one more level per queue: runs and tests never see each other's jobs.
const runPrefix = `tsunagi-test-${randomUUID().slice(0, 8)}`;
let queues = 0;
const nextPrefix = (): string => `${runPrefix}-${(queues += 1)}`;

afterAll(async () => {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${runPrefix}-*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
});

describeJobQueueContract(
  BullMqJobQueue.name,
  async (logger) => new BullMqJobQueue({ redisUrl, prefix: nextPrefix(), logger }),
);

describe(BullMqJobQueue.name, () => {
  it('maps job ids to ones BullMQ accepts and back', () => {
    for (const id of ['42', '0', 'a:b', 'a%3Ab', '%', 'id-7', '']) {
      const bullId = toBullMqJobId(id);
      expect(bullId).not.toContain(':');
      expect(`${parseInt(bullId, 10)}`).not.toBe(bullId);
      expect(fromBullMqJobId(bullId)).toBe(id);
    }
    expect(toBullMqJobId('a:b')).not.toBe(toBullMqJobId('a%3Ab'));
  });

  // Unlike the in-process runner, a restart (or another process) picks up what was pending.
  it('keeps pending jobs in Redis across stop() and a new instance', async () => {
    const prefix = nextPrefix();
    const first = new BullMqJobQueue({ redisUrl, prefix, logger: new RecordingJobLogger() });
    first.register('reminder', async () => undefined);
    await first.start();
    await first.add('reminder', { conversationId: 'c-9' }, { jobId: 'c-9', delayMs: 200 });
    await first.stop();

    const second = new BullMqJobQueue({ redisUrl, prefix, logger: new RecordingJobLogger() });
    const seen: Array<{ data: unknown; id: string }> = [];
    second.register('reminder', async (data, job) => {
      seen.push({ data, id: job.id });
    });
    try {
      await second.start();
      const deadline = Date.now() + 4_000;
      while (seen.length === 0 && Date.now() < deadline) await sleep(10);
      expect(seen).toEqual([{ data: { conversationId: 'c-9' }, id: 'c-9' }]);
    } finally {
      await second.stop();
    }
  }, 10_000);
});

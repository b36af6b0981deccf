import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { TestHub, startTestHub } from '../support/test-hub.js';
import { metricValue as valueOf } from '../support/metrics-text.js';
import { servicesEnv } from './services-env.js';

describe('GET /metrics on PostgreSQL and Redis', () => {
  let env: Record<string, string>;
  let hub: TestHub;

  beforeAll(async () => {
    env = await servicesEnv();
    // Workers not started: a job added now waits in Redis, as it would behind a worker that fell behind.
    hub = await startTestHub(env, { startJobs: false });
  });

  afterAll(async () => {
    await hub?.stop();
    const redis = new Redis(env.REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${env.HUB_REDIS_PREFIX}*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      await redis.quit();
    }
  });

  it("shows the BullMQ queues' depth and age and the pg pool's use", async () => {
    await hub.infra.jobs.add('conversations.deliver', { deliveryId: 'none', attempt: 0 }, { jobId: 'metrics-probe' });
    await sleep(50);
    const text = (await hub.http.get('/metrics').expect(200)).text;
    expect(valueOf(text, 'tsunagi_job_queue_jobs{queue="conversations.deliver",state="waiting"}')).toBe(1);
    expect(valueOf(text, 'tsunagi_job_queue_oldest_waiting_seconds{queue="conversations.deliver"}')).toBeGreaterThanOrEqual(0.04);
    expect(valueOf(text, 'tsunagi_job_queue_jobs{queue="reports.deliver",state="waiting"}')).toBe(0);
    expect(valueOf(text, 'tsunagi_db_pool_connections{database="postgresql",state="max"}')).toBe(10);
    const open = valueOf(text, 'tsunagi_db_pool_connections{database="postgresql",state="busy"}')! + valueOf(text, 'tsunagi_db_pool_connections{database="postgresql",state="idle"}')!;
    expect(open).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'tsunagi_db_pool_waiting_queries{database="postgresql"}')).toBe(0);
    expect(valueOf(text, 'tsunagi_outbox_deliveries{state="pending"}')).toBe(0);
  });
});

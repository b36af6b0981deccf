import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { BullMqJobQueue } from '../../src/common/jobs/bullmq-job-queue.js';
import { RecordingJobLogger } from '../../src/common/jobs/job-queue.contract.js';
import { eventually } from '../support/eventually.js';
import { expectEveryPieceDoneOnce, leavePendingWorkOfEveryKind, providersBack, startPendingWorkProviders } from '../support/pending-work.scenario.js';
import type { PendingWorkProviders } from '../support/pending-work.scenario.js';
import { startRedisServer } from '../support/redis-server.js';
import type { RedisServer } from '../support/redis-server.js';
import { startTestHub } from '../support/test-hub.js';
import type { TestHub } from '../support/test-hub.js';
import { servicesEnv } from './services-env.js';

// Production's Redis keeps nothing on disk: a restart, or a flush, empties every queue while the hubs run on. The
// database rows are the truth; these cases guard the hubs' noticing it and scheduling everything again, once.
describe('A job store that loses its jobs', () => {
  let redis: RedisServer;
  const queues: BullMqJobQueue[] = [];

  beforeAll(async () => {
    // A Redis of this file's own: the shared one is never restarted under other tests.
    redis = await startRedisServer();
  });

  afterEach(async () => {
    await Promise.all(queues.splice(0).map((queue) => queue.stop()));
  });

  afterAll(async () => {
    await redis?.stop();
  });

  /** Two "hubs" on one Redis, each rebuilding from the same rows: what the database says is still to do. */
  function cluster(prefix: string, rows: Map<string, number>, runs: string[], rebuilds: string[]) {
    return ['a', 'b'].map((hub) => {
      const queue = new BullMqJobQueue({ redisUrl: redis.url, prefix, logger: new RecordingJobLogger(), storeCheckMs: 200 });
      queue.register<{ row: string }>('remind', async ({ row }) => {
        runs.push(row);
        rows.delete(row);
      });
      queues.push(queue);
      const rebuild = async () => {
        rebuilds.push(hub);
        for (const [row, dueAt] of rows) await queue.add('remind', { row }, { jobId: row, delayMs: Math.max(0, dueAt - Date.now()) });
      };
      return { queue, rebuild };
    });
  }

  // Guards the loss itself: without a rebuild, a delayed job that was in Redis never runs.
  it('rebuilds a delayed job once after Redis restarted empty, however many processes notice', async () => {
    const rows = new Map<string, number>();
    const runs: string[] = [];
    const rebuilds: string[] = [];
    const [a, b] = cluster(`loss-${randomUUID().slice(0, 8)}`, rows, runs, rebuilds);
    rows.set('due-later', Date.now() + 1_500);
    rows.set('done-before', Date.now());
    await Promise.all([a.queue.watchForLoss(a.rebuild), b.queue.watchForLoss(b.rebuild)]);
    await Promise.all([a.rebuild(), b.rebuild()]);
    await Promise.all([a.queue.start(), b.queue.start()]);
    // Completed and removed from Redis before the loss: its row is gone, so no rebuild brings it back.
    await eventually(async () => runs, (r) => r.includes('done-before'));
    rebuilds.length = 0;

    await redis.restart();
    await eventually(async () => rebuilds, (r) => r.length >= 1);
    await eventually(async () => runs, (r) => r.includes('due-later'), 10_000);
    await Promise.all([a.queue.idle(), b.queue.idle()]);
    expect(runs.sort()).toEqual(['done-before', 'due-later']);
    // One process claimed the rebuild; the other found the claim.
    expect(rebuilds).toHaveLength(1);
  }, 30_000);

  // Guards two rebuilds meeting (a claim that lapsed, a second loss): a delayed job already there is not doubled.
  it('runs a delayed job once when two rebuilds add it', async () => {
    const rows = new Map([['twice', Date.now() + 800]]);
    const runs: string[] = [];
    const [a, b] = cluster(`twice-${randomUUID().slice(0, 8)}`, rows, runs, []);
    await Promise.all([a.queue.watchForLoss(a.rebuild), b.queue.watchForLoss(b.rebuild)]);
    await Promise.all([a.rebuild(), b.rebuild()]);
    await Promise.all([a.queue.start(), b.queue.start()]);
    await Promise.all([a.rebuild(), b.rebuild()]);
    await eventually(async () => runs, (r) => r.length >= 1);
    await Promise.all([a.queue.idle(), b.queue.idle()]);
    expect(runs).toEqual(['twice']);
  }, 20_000);

  it('rebuilds after a flush, with the connections never dropped', async () => {
    const rows = new Map([['flushed', Date.now() + 60_000]]);
    const runs: string[] = [];
    const rebuilds: string[] = [];
    const prefix = `flush-${randomUUID().slice(0, 8)}`;
    const [a] = cluster(prefix, rows, runs, rebuilds);
    await a.queue.watchForLoss(a.rebuild);
    await a.rebuild();
    await a.queue.start();
    const client = new Redis(redis.url);
    try {
      expect(await client.exists(`${prefix}:jobs-intact`)).toBe(1);
      await client.flushall();
      await eventually(async () => rebuilds, (r) => r.length === 2);
      await eventually(() => client.get(`${prefix}:jobs-intact`), (marker) => marker !== null && !marker.startsWith('rebuilding'));
      expect(await client.keys(`${prefix}:remind:id-flushed`)).toHaveLength(1);
    } finally {
      client.disconnect();
    }
  }, 20_000);
});

describe('Pending work of every kind', () => {
  let providers: PendingWorkProviders;

  // Fakes of their own per case: what each counts is that case's.
  beforeEach(async () => {
    providers = await startPendingWorkProviders();
  });

  afterEach(async () => {
    await providers?.close();
  });

  it('is done once after Redis restarts empty under two running hubs', async () => {
    const redis = await startRedisServer();
    const hubs: TestHub[] = [];
    // One data directory for both, as hubs behind a balancer share one for the files they keep: either may fetch the
    // attachment, and the other serves it.
    const dataDir = await mkdtemp(join(tmpdir(), 'tsunagi-store-loss-'));
    try {
      const env: Record<string, string> = { ...(await servicesEnv()), REDIS_URL: redis.url, PUBLIC_URL: 'https://hub.example.test' };
      hubs.push(await startTestHub(env, { dataDir }));
      hubs.push(await startTestHub(env, { dataDir }));
      const work = await leavePendingWorkOfEveryKind(hubs[0], providers);
      const prefix = env.HUB_REDIS_PREFIX;

      await redis.restart();
      // Both hubs reconnect to an empty Redis; one of them rebuilds, and says so by setting the marker again.
      const client = new Redis(redis.url);
      try {
        await eventually(() => client.get(`${prefix}:jobs-intact`), (marker) => marker !== null && !marker.startsWith('rebuilding'), 15_000);
      } finally {
        client.disconnect();
      }
      providersBack(providers);
      await expectEveryPieceDoneOnce(hubs[1], providers, work);
      await hubs[0].infra.jobs.idle();
    } finally {
      for (const hub of hubs) await hub.close();
      await redis.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('is done once after a hub on the in-process queue stops and starts again', async () => {
    const env: Record<string, string> = { ...(await servicesEnv()), PUBLIC_URL: 'https://hub.example.test' };
    // No Redis: the in-process queue, which keeps nothing across a stop.
    delete env.REDIS_URL;
    const first = await startTestHub(env);
    let work;
    try {
      work = await leavePendingWorkOfEveryKind(first, providers);
    } finally {
      await first.close();
    }

    providersBack(providers);
    const second = await startTestHub(env);
    try {
      await expectEveryPieceDoneOnce(second, providers, work);
    } finally {
      await second.close();
    }
  }, 120_000);
});

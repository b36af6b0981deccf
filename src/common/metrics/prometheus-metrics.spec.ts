import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobQueueDepth } from '../jobs/index.js';
import { PrometheusMetrics } from './prometheus-metrics.js';

function metricsWith(options: { depth?: JobQueueDepth[]; reuseMs?: number } = {}) {
  const reads = { jobs: 0 };
  const pool = { use: { totalCount: 3, idleCount: 1, waitingCount: 4 }, max: 10, embedded: false };
  const jobs = {
    depth: async () => {
      reads.jobs += 1;
      return options.depth ?? [];
    },
  };
  return { metrics: new PrometheusMetrics({ jobs, pool }, options.reuseMs), reads, pool };
}

/** The value of one series in the text format (`name{labels} value`), or undefined when it is absent. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe(PrometheusMetrics.name, () => {
  it('counts webhooks by provider and outcome and times the stored ones', async () => {
    const { metrics } = metricsWith();
    metrics.webhookAnswered('twilio', 'stored', 0.02);
    metrics.webhookAnswered('twilio', 'stored', 0.3);
    metrics.webhookAnswered('twilio', 'invalid_signature', 0.001);
    metrics.deliveryFinished('sent');
    const { body, contentType } = await metrics.scrape();
    expect(contentType).toMatch(/^text\/plain/);
    expect(valueOf(body, 'tsunagi_webhooks_total{provider="twilio",outcome="stored"}')).toBe(2);
    expect(valueOf(body, 'tsunagi_webhooks_total{provider="twilio",outcome="invalid_signature"}')).toBe(1);
    expect(valueOf(body, 'tsunagi_webhook_ingest_seconds_count{provider="twilio"}')).toBe(2);
    expect(valueOf(body, 'tsunagi_webhook_ingest_seconds_bucket{le="0.025",provider="twilio"}')).toBe(1);
    expect(valueOf(body, 'tsunagi_deliveries_total{outcome="sent"}')).toBe(1);
    expect(valueOf(body, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('reads the pool, the sockets, the job queue and the database gauges at scrape time', async () => {
    const { metrics, pool } = metricsWith({ depth: [{ name: 'outbox', waiting: 5, delayed: 2, active: 1, oldestWaitingSeconds: 1.5 }] });
    metrics.gaugeFromDatabase({ name: 'tsunagi_things_pending', help: 'Things.', read: async () => 7 });
    metrics.gaugeFromDatabase({ name: 'tsunagi_things', help: 'Things by state.', label: 'state', read: async () => ({ pending: 7, failed: 1 }) });
    metrics.watchSockets(() => ({ '/inbox': 2, '/widget': 9 }));
    pool.use.waitingCount = 6;
    const { body } = await metrics.scrape();
    expect(valueOf(body, 'tsunagi_db_pool_connections{database="postgresql",state="busy"}')).toBe(2);
    expect(valueOf(body, 'tsunagi_db_pool_connections{database="postgresql",state="max"}')).toBe(10);
    expect(valueOf(body, 'tsunagi_db_pool_waiting_queries{database="postgresql"}')).toBe(6);
    expect(valueOf(body, 'tsunagi_sockets{namespace="/widget"}')).toBe(9);
    expect(valueOf(body, 'tsunagi_job_queue_jobs{queue="outbox",state="waiting"}')).toBe(5);
    expect(valueOf(body, 'tsunagi_job_queue_jobs{queue="outbox",state="delayed"}')).toBe(2);
    expect(valueOf(body, 'tsunagi_job_queue_oldest_waiting_seconds{queue="outbox"}')).toBe(1.5);
    expect(valueOf(body, 'tsunagi_things_pending')).toBe(7);
    expect(valueOf(body, 'tsunagi_things{state="failed"}')).toBe(1);
  });

  // Guards a scrape storm multiplying the database's work: /metrics may be reachable by more than one scraper.
  it('reads the database once for scrapes that come together or within the reuse time, and again after it', async () => {
    const { metrics, reads } = metricsWith({ reuseMs: 100 });
    let databaseReads = 0;
    metrics.gaugeFromDatabase({
      name: 'tsunagi_slow_pending',
      help: 'Slow.',
      read: async () => {
        databaseReads += 1;
        await sleep(20);
        return databaseReads;
      },
    });
    const bodies = await Promise.all(Array.from({ length: 20 }, () => metrics.scrape()));
    await metrics.scrape();
    expect(databaseReads).toBe(1);
    expect(reads.jobs).toBe(1);
    for (const { body } of bodies) expect(valueOf(body, 'tsunagi_slow_pending')).toBe(1);
    await sleep(150);
    expect(valueOf((await metrics.scrape()).body, 'tsunagi_slow_pending')).toBe(2);
    expect(reads.jobs).toBe(2);
  });

  it('answers with the other metrics when a gauge cannot be read', async () => {
    const { metrics } = metricsWith();
    metrics.gaugeFromDatabase({ name: 'tsunagi_broken_pending', help: 'Broken.', read: async () => Promise.reject(new Error('database down')) });
    metrics.webhookAnswered('line', 'stored', 0.01);
    const { body } = await metrics.scrape();
    expect(valueOf(body, 'tsunagi_webhooks_total{provider="line",outcome="stored"}')).toBe(1);
    expect(valueOf(body, 'tsunagi_metric_read_errors_total{metric="tsunagi_broken_pending"}')).toBe(1);
  });

  // Several hubs in one test process: the default registry would refuse the second hub's metric names.
  it('keeps each instance in a registry of its own', async () => {
    const first = metricsWith().metrics;
    const second = metricsWith().metrics;
    first.webhookAnswered('line', 'stored', 0.01);
    expect(valueOf((await second.scrape()).body, 'tsunagi_webhooks_total{provider="line",outcome="stored"}')).toBeUndefined();
  });
});

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobQueue } from '../jobs/index.js';
import { logger } from '../logging/logger.js';
import { sharedRead } from '../shared-read.js';
import type { SharedRead } from '../shared-read.js';
import type { DatabaseGauge, HubMetrics } from './hub-metrics.js';

/** What the database driver's pool says of its connections (`pg.Pool`'s counters). */
export interface PoolUse {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

export interface MetricSources {
  jobs: Pick<JobQueue, 'depth'>;
  /** The connection pool, and whether it is the embedded database's single connection. */
  pool: { use: PoolUse; max: number; embedded: boolean };
}

/**
 * Scrapes within this long of a read share it: a scrape storm (or several Prometheis) cannot multiply the database's
 * and Redis's work, and one scrape every few seconds always sees fresh figures.
 */
const READ_REUSE_MS = 1_000;

/** Webhook handling from a few milliseconds (a redelivery) to the seconds a provider waits before it retries. */
const INGEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The hub's metrics in Prometheus's text format (prom-client), one registry per hub, so hubs sharing a process (tests)
 * keep theirs apart. Counters move as things happen; the gauges of the database, the job queue, the pool and the
 * sockets are read at scrape time.
 */
export class PrometheusMetrics implements HubMetrics {
  readonly registry = new Registry();
  private readonly webhooks: Counter<'provider' | 'outcome'>;
  private readonly ingest: Histogram<'provider'>;
  private readonly deliveries: Counter<'outcome'>;
  private readonly readErrors: Counter<'metric'>;
  /** What the scrape reads, by the metric it sets. */
  private readonly scrapeTimeReads = new Map<string, () => Promise<void>>();
  private readonly scrapeReads: SharedRead<void>;
  private sockets: () => Record<string, number> = () => ({});

  /** `readReuseMs`: how long scrapes share one read of the database and the job queue (a second). */
  constructor(sources: MetricSources, readReuseMs = READ_REUSE_MS) {
    this.scrapeReads = sharedRead(() => this.readAll(), readReuseMs);
    // Process figures, event-loop lag among them (nodejs_eventloop_lag_seconds and its percentiles).
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.webhooks = new Counter({ name: 'tsunagi_webhooks_total', help: 'Provider webhooks answered, by provider and outcome (stored, or the refusal code).', labelNames: ['provider', 'outcome'], registers });
    this.ingest = new Histogram({ name: 'tsunagi_webhook_ingest_seconds', help: 'Time from a webhook reaching the hub to its stored answer.', labelNames: ['provider'], buckets: INGEST_BUCKETS, registers });
    this.readErrors = new Counter({ name: 'tsunagi_metric_read_errors_total', help: 'Scrape-time reads that failed, by metric (its figures are then the last read ones).', labelNames: ['metric'], registers });
    this.deliveries = new Counter({ name: 'tsunagi_deliveries_total', help: 'Outbox deliveries ended, by outcome (sent, failed).', labelNames: ['outcome'], registers });
    const jobs = this.scrapedGauge('tsunagi_job_queue_jobs', 'Jobs per queue (job name) and state: waiting (due), delayed, active.', ['queue', 'state']);
    const age = this.scrapedGauge('tsunagi_job_queue_oldest_waiting_seconds', 'How long the longest-waiting due job of each queue has waited.', ['queue']);
    this.scrapeTimeReads.set('tsunagi_job_queue_jobs', async () => {
      const depths = await sources.jobs.depth();
      jobs.reset();
      age.reset();
      for (const { name, waiting, delayed, active, oldestWaitingSeconds } of depths) {
        jobs.set({ queue: name, state: 'waiting' }, waiting);
        jobs.set({ queue: name, state: 'delayed' }, delayed);
        jobs.set({ queue: name, state: 'active' }, active);
        age.set({ queue: name }, oldestWaitingSeconds);
      }
    });
    const database = sources.pool.embedded ? 'embedded' : 'postgresql';
    new Gauge({
      name: 'tsunagi_db_pool_connections',
      help: 'Database connections of this process by state (busy, idle), and max, the most it opens; the embedded database has one.',
      labelNames: ['database', 'state'],
      registers,
      collect() {
        const { use, max } = sources.pool;
        this.set({ database, state: 'busy' }, use.totalCount - use.idleCount);
        this.set({ database, state: 'idle' }, use.idleCount);
        this.set({ database, state: 'max' }, max);
      },
    });
    new Gauge({
      name: 'tsunagi_db_pool_waiting_queries',
      help: 'Queries waiting for a free database connection.',
      labelNames: ['database'],
      registers,
      collect() {
        this.set({ database }, sources.pool.use.waitingCount);
      },
    });
    const sockets = () => this.sockets();
    new Gauge({
      name: 'tsunagi_sockets',
      help: 'Sockets connected to this process, by namespace.',
      labelNames: ['namespace'],
      registers,
      collect() {
        this.reset();
        for (const [namespace, count] of Object.entries(sockets())) this.set({ namespace }, count);
      },
    });
  }

  /** The socket servers' counts by namespace, known once the application has made them. */
  watchSockets(count: () => Record<string, number>): void {
    this.sockets = count;
  }

  webhookAnswered(provider: string, outcome: string, seconds: number): void {
    this.webhooks.inc({ provider, outcome });
    if (outcome === 'stored') this.ingest.observe({ provider }, seconds);
  }

  deliveryFinished(outcome: 'sent' | 'failed'): void {
    this.deliveries.inc({ outcome });
  }

  gaugeFromDatabase({ name, help, label, read }: DatabaseGauge): void {
    const gauge = this.scrapedGauge(name, help, label ? [label] : []);
    this.scrapeTimeReads.set(name, async () => {
      const value = await read();
      gauge.reset();
      if (typeof value === 'number') gauge.set(value);
      else for (const [labelValue, count] of Object.entries(value)) gauge.set({ [label!]: labelValue }, count);
    });
  }

  /** The metrics in Prometheus's text format, and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    // Read first, so that the read's own failures are counted in this very answer.
    await this.scrapeReads.get();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** A gauge whose values the scrape's shared read sets: it waits for that read before it is written out. */
  private scrapedGauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry], collect: () => this.scrapeReads.get() });
  }

  private async readAll(): Promise<void> {
    await Promise.all(
      [...this.scrapeTimeReads].map(async ([metric, read]) => {
        try {
          await read();
        } catch (error) {
          // The gauge keeps its last figures; the scrape still answers with everything else.
          this.readErrors.inc({ metric });
          logger.warn({ err: error, metric }, 'a metric could not be read');
        }
      }),
    );
  }
}

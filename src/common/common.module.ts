import { DynamicModule, Global, Module } from '@nestjs/common';
import { CLOCK } from './clock.js';
import type { Clock } from './clock.js';
import { HUB_CONFIG } from './config/config.js';
import type { HubConfig } from './config/config.js';
import { SECRET_BOX, SecretBox } from './crypto/secret-box.js';
import { DATABASE, DIRECT_SQL } from './database/database.js';
import type { Db, DirectSql } from './database/database.js';
import { JOB_QUEUE } from './jobs/index.js';
import type { JobQueue } from './jobs/index.js';
import { MAILER } from './mail/mailer.js';
import { RATE_LIMITER } from './rate-limit/rate-limiter.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import { OUTBOUND_GUARD } from './outbound/index.js';
import type { OutboundGuard } from './outbound/index.js';
import { LocalFileStorage, STORAGE } from './storage/storage.js';
import { FILE_LINKS, FileLinks } from './files/file-links.js';
import { RESUMABLE_WORK } from './start/resumable-work.js';
import type { ResumableWorkRegistry } from './start/resumable-work.js';
import { READINESS } from './start/readiness.js';
import type { HubReadiness } from './start/readiness.js';
import type { Mailer } from './mail/mailer.js';
import { HUB_METRICS } from './metrics/hub-metrics.js';
import { CACHE_INVALIDATION } from './cache/cache-invalidation.js';
import type { CacheInvalidation } from './cache/cache-invalidation.js';
import type { PrometheusMetrics } from './metrics/prometheus-metrics.js';
import { EventLog } from './events/event-log.js';

/** The infrastructure opened before Nest starts, handed to every module. */
export interface HubInfrastructure {
  config: HubConfig;
  db: Db;
  /** The same database's pool past Prisma, for the hot path's one statement. */
  directSql: DirectSql;
  jobs: JobQueue;
  masterKey: Buffer;
  mailer: Mailer;
  clock: Clock;
  rateLimiter: RateLimiter;
  /** The one door for requests to URLs from configuration or from outside (the system mail's SendGrid too). */
  outboundGuard: OutboundGuard;
  /** Where the services with work to take up after a restart register themselves. */
  resumableWork: ResumableWorkRegistry;
  /** What `/health/ready` reports: the steps of the start done, and whether the hub is stopping. */
  readiness: HubReadiness;
  /** What `/metrics` answers; modules report to it through the `HubMetrics` port (`HUB_METRICS`). */
  metrics: PrometheusMetrics;
  /** How a change to a cached row reaches the caches of every hub process (`CACHE_INVALIDATION`). */
  cacheInvalidation: CacheInvalidation;
}

export const MASTER_KEY = Symbol('MasterKey');

@Global()
@Module({})
export class CommonModule {
  static register(infra: HubInfrastructure): DynamicModule {
    const providers = [
      { provide: HUB_CONFIG, useValue: infra.config },
      { provide: DATABASE, useValue: infra.db },
      { provide: DIRECT_SQL, useValue: infra.directSql },
      { provide: JOB_QUEUE, useValue: infra.jobs },
      { provide: MASTER_KEY, useValue: infra.masterKey },
      { provide: SECRET_BOX, useValue: new SecretBox(infra.masterKey) },
      { provide: MAILER, useValue: infra.mailer },
      { provide: CLOCK, useValue: infra.clock },
      { provide: RATE_LIMITER, useValue: infra.rateLimiter },
      { provide: STORAGE, useValue: new LocalFileStorage(infra.config.dataDir) },
      { provide: FILE_LINKS, useValue: new FileLinks(infra.masterKey) },
      { provide: OUTBOUND_GUARD, useValue: infra.outboundGuard },
      { provide: RESUMABLE_WORK, useValue: infra.resumableWork },
      { provide: READINESS, useValue: infra.readiness },
      { provide: HUB_METRICS, useValue: infra.metrics },
      { provide: CACHE_INVALIDATION, useValue: infra.cacheInvalidation },
      { provide: EventLog, useValue: new EventLog(infra.db, infra.jobs, infra.cacheInvalidation, infra.resumableWork, infra.clock) },
    ];
    return { module: CommonModule, providers, exports: providers.map((p) => p.provide) };
  }
}

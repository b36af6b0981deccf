import 'reflect-metadata';
import type { Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { BODY_LIMIT, WEBHOOK_ADMISSION, applyBodyLimits } from './common/http/body-limits.js';
import type { WebhookAdmission } from './common/http/body-limits.js';
import { trustFunction } from './common/http/client-address.js';
import { collectNamedViews } from './common/http/answers.js';
import { addSecurityHeaders } from './common/http/security-headers.js';
import { serveWebAssets } from './common/http/web-assets.js';
import { systemClock } from './common/clock.js';
import type { Clock } from './common/clock.js';
import type { HubInfrastructure } from './common/common.module.js';
import type { HubConfig } from './common/config/config.js';
import { loadOrCreateKey } from './common/crypto/secret-box.js';
import { openDatabase } from './common/database/database.js';
import { InProcessJobQueue } from './common/jobs/index.js';
import type { JobQueue } from './common/jobs/index.js';
import { logger } from './common/logging/logger.js';
import { nestLogger } from './common/logging/nest-logger.js';
import { SecretBox } from './common/crypto/secret-box.js';
import { OutboundGuard } from './common/outbound/index.js';
import { SystemMailService, transportFor } from './common/mail/system-mail.service.js';
import { FlexibleRateLimiter } from './common/rate-limit/rate-limiter.js';
import { domainListenersSettled } from './common/events/domain-events.js';
import { FrontDoor } from './common/http/front-door.js';
import { HubIoAdapter } from './common/realtime/hub-io-adapter.js';
import { HubReadiness } from './common/start/readiness.js';
import { PrometheusMetrics } from './common/metrics/prometheus-metrics.js';
import { FIRST_TEAM } from './common/start/first-team.js';
import type { FirstTeam, StartLogin } from './common/start/first-team.js';
import { ResumableWorkRegistry } from './common/start/resumable-work.js';
import { LocalCacheInvalidation } from './common/cache/cache-invalidation.js';
import type { CacheInvalidation } from './common/cache/cache-invalidation.js';
import { PostgresCacheInvalidation, listeningClient } from './common/cache/postgres-cache-invalidation.js';

export interface HubOptions {
  /** Keep the embedded database in memory instead of under the data directory (tests). */
  memoryDatabase?: boolean;
  /** A new embedded database starts from this image of a migrated one (tests; see `migratedImage`). */
  databaseImage?: Blob;
  /**
   * false: take no jobs until `hub.startJobs()` (a hub whose worker is down, for tests of the outbox). Such a hub takes
   * requests, although its readiness names the job workers as not ready.
   */
  startJobs?: boolean;
  /** Prefix of the BullMQ keys, so test runs sharing one Redis stay apart. */
  queuePrefix?: string;
  /** Create the first team from the configuration (default true). */
  bootstrap?: boolean;
  /**
   * What "now" is for the hub, and what runs the in-process job queue's timers: tests move it instead of sleeping.
   * The database and BullMQ (on Redis time) keep real time.
   */
  clock?: Clock;
  /**
   * Providers that replace what a module would otherwise use, by token: the WhatsApp Web client factory
   * (`WHATSAPP_WEB_RUNTIME`), so tests drive a fake client instead of a browser.
   */
  providers?: Provider[];
}

export interface Hub {
  app: NestFastifyApplication;
  url: string;
  login: StartLogin | null;
  infra: HubInfrastructure;
  /** Where the hub's own mail goes (`SMTP host:port`, `SendGrid`, `the log`), for the start-up lines. */
  mailTransport: string;
  /** Takes up pending deliveries and starts the job workers (done by createHub unless told otherwise). */
  startJobs(): Promise<void>;
  /**
   * Stops gracefully: readiness turns 503 and new requests are refused at once (503 with `Retry-After`), sockets are
   * told to reconnect elsewhere, requests in flight finish, then running jobs and the work they and the requests
   * left (job adds), and only then do the job queue and the database close.
   */
  close(): Promise<void>;
  /** What a stop still waits for, for the line logged when it takes too long. */
  stopProgress(): string;
}

/**
 * BullMQ, ioredis and socket.io's Redis adapter, loaded only when Redis is configured: a hub without Redis (and
 * every test hub) starts without reading them.
 */
async function loadRedisParts() {
  const [{ BullMqJobQueue }, { RedisIoAdapter }, { Redis }] = await Promise.all([
    import('./common/jobs/bullmq-job-queue.js'),
    import('./common/realtime/socket-adapters.js'),
    import('ioredis'),
  ]);
  return { BullMqJobQueue, RedisIoAdapter, Redis };
}

/**
 * Every process on a PostgreSQL server hears the others' cache changes through LISTEN/NOTIFY on that server; the
 * embedded database is held by this process alone (its directory is locked), so its changes are all made here.
 */
async function openCacheInvalidation(databaseUrl: string | null, db: HubInfrastructure['db']): Promise<CacheInvalidation> {
  if (!databaseUrl) return new LocalCacheInvalidation();
  return new PostgresCacheInvalidation({
    connect: () => listeningClient(databaseUrl),
    notify: async (channel, payload) => void (await db.$executeRaw`SELECT pg_notify(${channel}, ${payload})`),
  }).start();
}

export async function createHub(config: HubConfig, options: HubOptions = {}): Promise<Hub> {
  const readiness = new HubReadiness();
  const door = new FrontDoor(readiness);
  // Listening before anything else: liveness and readiness answer while the database opens and migrates, and every
  // other request is refused with 503 until the hub is ready (a login then would fail for want of the first team).
  await door.listen(config.port, config.host);
  let database: Awaited<ReturnType<typeof openDatabase>>;
  let masterKey: Buffer;
  try {
    masterKey = config.secretKey ?? (await loadOrCreateKey(config.dataDir));
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: options.memoryDatabase ? null : config.dataDir, image: options.databaseImage });
  } catch (error) {
    door.server.close();
    throw error;
  }
  // openDatabase connects and applies pending migrations before it answers.
  readiness.markDone('database');
  readiness.markDone('migrations');
  readiness.probeDatabaseWith(() => database.prisma.$queryRaw`SELECT 1`);
  const clock = options.clock ?? systemClock;
  const cacheInvalidation = await openCacheInvalidation(config.databaseUrl, database.prisma);
  const redis = config.redisUrl ? await loadRedisParts() : null;
  const jobs: JobQueue = redis
    ? new redis.BullMqJobQueue({ redisUrl: config.redisUrl!, prefix: options.queuePrefix ?? config.redisPrefix })
    : new InProcessJobQueue(undefined, clock);
  // Limits are counted in Redis when there is one, so every hub process shares each budget.
  const limitsRedis = redis ? new redis.Redis(config.redisUrl!, { maxRetriesPerRequest: 1, enableOfflineQueue: false }) : null;
  limitsRedis?.on('error', (error) => logger.warn({ err: error }, 'Redis for rate limits unavailable; counting in this process meanwhile'));
  const rateLimiter = new FlexibleRateLimiter(limitsRedis ? { redis: limitsRedis, prefix: options.queuePrefix ?? config.redisPrefix } : null);
  const outboundGuard = new OutboundGuard({ allowedOrigins: config.allowedApiOrigins, maxDownloadBytes: config.maxDownloadBytes });
  const mailTransport = transportFor(config.mail, outboundGuard);
  const resumableWork = new ResumableWorkRegistry();
  const metrics = new PrometheusMetrics({ jobs, pool: { ...database.pool, embedded: database.embedded } });
  const mailer = new SystemMailService(database.prisma, jobs, new SecretBox(masterKey), mailTransport, resumableWork);
  const infra: HubInfrastructure = {
    config,
    db: database.prisma,
    directSql: database.direct,
    jobs,
    masterKey,
    mailer,
    clock,
    rateLimiter,
    outboundGuard,
    resumableWork,
    readiness,
    metrics,
    cacheInvalidation,
  };

  let redisAdapter: { disconnect(): Promise<void> } | null = null;
  let app: NestFastifyApplication | null = null;
  try {
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule.register(infra, options.providers),
      new FastifyAdapter({ bodyLimit: BODY_LIMIT, trustProxy: trustFunction(config.trustProxy), serverFactory: door.serverFactory }),
      { rawBody: true, logger: nestLogger, abortOnError: false },
    );
    const fastify = app.getHttpAdapter().getInstance();
    const webhooks = app.get<symbol, WebhookAdmission>(WEBHOOK_ADMISSION);
    applyBodyLimits(fastify, (request) => webhooks.admitBeforeBody(request));
    // SendGrid's Inbound Parse posts multipart/form-data. It is kept as bytes like every webhook body: the channel
    // checks its token first and only then reads the parts. No limit of its own: the route's applies (30 MB for
    // Inbound Parse, 1 MB anywhere else).
    fastify.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request, body, done) => {
      (request as { rawBody?: Buffer }).rawBody = body as Buffer;
      done(null, body);
    });
    const admits = () => door.admitting;
    const redisSockets = redis ? new redis.RedisIoAdapter(app, admits, config.redisUrl!, `${config.redisPrefix}:socket.io`) : null;
    redisAdapter = redisSockets;
    const sockets = redisSockets ?? new HubIoAdapter(app, admits);
    app.useWebSocketAdapter(sockets);
    metrics.watchSockets(() => sockets.socketsByNamespace());
    // No shutdown hooks of Nest's own: on a signal it would close the application at once, beside the hub's ordered
    // stop (close() below, called by main.ts), which closes it only once requests and jobs are done.
    addSecurityHeaders(app.getHttpAdapter().getInstance());
    await serveWebAssets(app.getHttpAdapter().getInstance(), database.prisma);
    SwaggerModule.setup('api/docs', app, () => openApiDocument(app!), { jsonDocumentUrl: 'api/docs/openapi.json' });
    // The server already listens (the front door): the application is made ready on it instead of listening.
    await app.init();
    await fastify.ready();
    door.attachApplication();

    const login = options.bootstrap === false ? null : await app.get<symbol, FirstTeam>(FIRST_TEAM).ensure();
    readiness.markDone('first_team');
    let jobsStarted = false;
    const startJobs = async () => {
      if (jobsStarted) return;
      jobsStarted = true;
      // Everything still to do is scheduled again before a worker takes a job, pending deliveries among it; what waits
      // in jobs is scheduled again whenever Redis comes back without them.
      await jobs.watchForLoss(async () => void (await resumableWork.resumeAll({ jobsOnly: true })));
      await resumableWork.resumeAll();
      readiness.markDone('pending_work');
      await jobs.start();
      readiness.markDone('job_workers');
    };
    if (options.startJobs !== false) await startJobs();
    door.open();
    const address = door.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://localhost:${port}`;
    const started = app;
    let stopStep: string | null = null;
    return {
      app: started,
      url,
      login,
      infra,
      mailTransport: mailTransport.description,
      startJobs,
      async close() {
        const step = (name: string) => {
          stopStep = name;
          logger.debug({ step: name }, 'stopping');
        };
        readiness.beginStop();
        door.stopAdmitting();
        step('telling sockets to reconnect elsewhere');
        sockets.reconnectElsewhere();
        step('HTTP requests');
        await door.drained();
        // Requests are answered; their follow-up work and the running jobs' may still add jobs, which must be taken.
        if (!redis && jobsStarted) {
          // The in-process queue keeps nothing across a restart, and not every job is taken up again from its rows
          // (media to fetch, a contact to name): the jobs already due are run now. On Redis they wait there.
          step('due jobs of the in-process queue');
          await domainListenersSettled();
          await jobs.idle();
        }
        step('running jobs');
        await jobs.pause();
        step('follow-up work of requests and jobs');
        await domainListenersSettled();
        step('clients still connecting');
        await door.quiet();
        step('closing the application');
        await started.close();
        step('closing the job queue');
        await jobs.stop();
        step('closing connections');
        await mailTransport.close?.();
        await redisAdapter?.disconnect();
        limitsRedis?.disconnect();
        await cacheInvalidation.close();
        await database.close();
        door.server.closeAllConnections();
        stopStep = 'stopped';
      },
      stopProgress() {
        if (stopStep === null) return 'not stopping';
        const waiting = door.requestsInFlight;
        return waiting > 0 ? `${stopStep} (${waiting} HTTP requests in flight)` : stopStep;
      },
    };
  } catch (error) {
    await jobs.stop().catch(() => {});
    await app?.close().catch(() => {});
    await mailTransport.close?.().catch(() => {});
    await redisAdapter?.disconnect();
    limitsRedis?.disconnect();
    await cacheInvalidation.close();
    await database.close();
    door.server.close();
    door.server.closeAllConnections();
    throw error;
  }
}

export function openApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const info = new DocumentBuilder()
    .setTitle('Tsunagi')
    .setDescription('Omnichannel messaging hub: the HTTP API. The socket.io namespaces /inbox and /widget are described in docs/socket-protocols.md.')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  // The answers' named views become components (one type each in the web app's generated client).
  return collectNamedViews(SwaggerModule.createDocument(app, info));
}

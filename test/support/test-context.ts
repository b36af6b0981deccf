import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext, Provider, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../src/app.module.js';
import { PrometheusMetrics } from '../../src/common/metrics/prometheus-metrics.js';
import { LocalCacheInvalidation } from '../../src/common/cache/cache-invalidation.js';
import type { HubInfrastructure } from '../../src/common/common.module.js';
import { loadConfig } from '../../src/common/config/config.js';
import { openDatabase } from '../../src/common/database/database.js';
import type { Db } from '../../src/common/database/database.js';
import { InProcessJobQueue } from '../../src/common/jobs/index.js';
import type { Mailer, SystemMail } from '../../src/common/mail/mailer.js';
import { OutboundGuard } from '../../src/common/outbound/index.js';
import { FlexibleRateLimiter } from '../../src/common/rate-limit/rate-limiter.js';
import { HubReadiness } from '../../src/common/start/readiness.js';
import { ResumableWorkRegistry } from '../../src/common/start/resumable-work.js';
import { ChannelsService } from '../../src/channels/index.js';
import type { ChannelAccount, ChannelAddress, ChannelType, InboundEvent } from '../../src/channels/index.js';
import type { AuthMember } from '../../src/teams/index.js';
import { AuthService } from '../../src/teams/auth.service.js';
import { MembersService, TeamsService } from '../../src/teams/index.js';
import { MovableClock } from './movable-clock.js';
import { testDatabaseImage } from './database-image.js';
import { TEST_ALLOWED_API_ORIGINS, TEST_PASSWORD_MEMORY_MIB, TEST_SECRET_KEY } from './test-hub.js';

/** The hub's own mail, kept for the test to read instead of being sent anywhere. */
export class RecordingMailer implements Mailer {
  readonly sent: SystemMail[] = [];

  async send(mail: SystemMail): Promise<void> {
    this.sent.push(mail);
  }
}

/**
 * The hub's services without HTTP or sockets (the medium tier): the Nest application context on an in-memory
 * embedded database, the in-process job queue and a clock the test moves. Starting one takes seconds: one per file.
 */
export interface TestContext {
  db: Db;
  jobs: InProcessJobQueue;
  clock: MovableClock;
  mails: RecordingMailer;
  /** Any provider of the application by its class, typed: `ctx.get(OffersService)`. */
  get<T>(type: Type<T>): T;
  /** A new team; its administrator is returned as the services see a signed-in member. */
  createTeam(name?: string): Promise<{ teamId: string; inviteCode: string; admin: AuthMember }>;
  /** A member who joined with the team's invite code, with the given name and capacity. */
  addMember(team: { inviteCode: string; admin: AuthMember }, patch?: { name?: string; capacity?: number }): Promise<AuthMember>;
  /** A channel of the team, created through ChannelsService, as the adapters and ingest receive it. */
  createChannel(teamId: string, input: { type: ChannelType; provider: string; name?: string; config?: Record<string, unknown> }): Promise<ChannelAccount>;
  close(): Promise<void>;
}

export interface TestContextOptions {
  /** Environment the configuration is read from, over the test defaults (`PUBLIC_URL`, say). */
  env?: Record<string, string>;
  /** Providers that replace a module's own by token, as in `createHub` (fakes at the edge). */
  providers?: Provider[];
  /** Where the clock starts (default: now). */
  now?: Date;
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export async function createTestContext(options: TestContextOptions = {}): Promise<TestContext> {
  // Attachments and the like go to the data directory; the database itself stays in memory.
  const dataDir = await mkdtemp(join(tmpdir(), 'tsunagi-medium-'));
  const config = loadConfig({
    HUB_SECRET_KEY: TEST_SECRET_KEY,
    HUB_DATA_DIR: dataDir,
    NODE_ENV: 'test',
    HUB_ALLOWED_API_ORIGINS: TEST_ALLOWED_API_ORIGINS,
    HUB_PASSWORD_MEMORY_MIB: TEST_PASSWORD_MEMORY_MIB,
    ...options.env,
  });
  // Started from the image of the migrated schema that every test file shares, not migrated again.
  const database = await openDatabase({ databaseUrl: null, dataDir: null, image: await testDatabaseImage() });
  // The job queue's delays run on the test's clock too: moving it fires what came due, nothing waits for real.
  const clock = new MovableClock(options.now ?? new Date());
  const jobs = new InProcessJobQueue(undefined, clock);
  const mails = new RecordingMailer();
  const infra: HubInfrastructure = {
    config,
    db: database.prisma,
    directSql: database.direct,
    jobs,
    masterKey: config.secretKey ?? Buffer.from(TEST_SECRET_KEY, 'base64'),
    mailer: mails,
    clock,
    rateLimiter: new FlexibleRateLimiter(null),
    outboundGuard: new OutboundGuard({ allowedOrigins: config.allowedApiOrigins, maxDownloadBytes: config.maxDownloadBytes }),
    // Services register here as they start; nothing is resumed, as no restart came before.
    resumableWork: new ResumableWorkRegistry(),
    // No server listens in a medium test: nothing asks whether it is ready.
    readiness: new HubReadiness(),
    // Nothing scrapes a medium test; services report to it as they do in a hub.
    metrics: new PrometheusMetrics({ jobs, pool: { ...database.pool, embedded: database.embedded } }),
    // One process on the embedded database, as in a hub on it.
    cacheInvalidation: new LocalCacheInvalidation(),
  };
  let app: INestApplicationContext | null = null;
  const close = async () => {
    await jobs.stop();
    await app?.close();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    // An application context has no HTTP server, and gateways are not bound: nothing listens.
    app = await NestFactory.createApplicationContext(AppModule.register(infra, options.providers), { logger: false, abortOnError: false });
    await jobs.start();
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  const started = app;
  const get = <T>(type: Type<T>): T => started.get(type, { strict: false });

  const asMember = async (id: string): Promise<AuthMember> => {
    const row = await database.prisma.member.findUniqueOrThrow({ where: { id } });
    return { id: row.id, teamId: row.teamId, role: row.role, name: row.name, email: row.email, training: row.training };
  };

  return {
    db: database.prisma,
    jobs,
    clock,
    mails,
    get,
    async createTeam(name = 'Team') {
      const { team, admin } = await get(TeamsService).createTeam({ name, admin: { email: `admin-${unique()}@example.com`, password: 'correct horse', name: '佐藤 花子' } });
      return { teamId: team.id, inviteCode: team.inviteCode, admin: await asMember(admin.id) };
    },
    async addMember(team, patch = {}) {
      const joined = await get(AuthService).signup({ inviteCode: team.inviteCode, email: `member-${unique()}@example.com`, password: 'correct horse', name: patch.name ?? '鈴木 一郎' }, '192.0.2.1');
      if (patch.capacity !== undefined) await get(MembersService).update(team.admin, joined.id, { capacity: patch.capacity });
      return asMember(joined.id);
    },
    async createChannel(teamId, input) {
      const channels = get(ChannelsService);
      const { id } = await channels.create(teamId, { name: input.type, config: {}, ...input });
      const account = await channels.account(id);
      if (!account) throw new Error(`channel ${id} was not stored`);
      return account;
    },
    close,
  };
}

export type InboundMessage = Extract<InboundEvent, { type: 'message' }>;

/** A customer's message as a normalizer hands it to ingest; its event key is new unless one is given. */
export function inboundMessage(from: ChannelAddress, body: string, patch: Partial<InboundMessage> = {}): InboundMessage {
  const eventKey = patch.eventKey ?? `evt-${unique()}`;
  return { type: 'message', eventKey, providerMessageId: eventKey, from, body, attachments: [], occurredAt: new Date(), ...patch };
}

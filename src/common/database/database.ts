import { PrismaPg } from '@prisma/adapter-pg';
import { join } from 'node:path';
import pg from 'pg';
import { PrismaClient } from '../../generated/prisma/client.js';
import { embeddedPool, startEmbeddedPostgres, EmbeddedPostgres } from './embedded-postgres.js';
import { applyMigrations, migrationsUpToDate } from './migrations.js';
import { logger } from '../logging/logger.js';

export { PrismaClient, Prisma } from '../../generated/prisma/client.js';
export type Db = PrismaClient;
/** The client handed to code inside `db.$transaction(async (tx) => ...)`. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export const DATABASE = Symbol('Database');

export interface OpenDatabase {
  prisma: PrismaClient;
  /** Whether the embedded PostgreSQL serves it (one connection: keep transactions short). */
  embedded: boolean;
  /** The driver's connection pool and its size, for the metrics (one connection on the embedded database). */
  pool: { use: Pick<pg.Pool, 'totalCount' | 'idleCount' | 'waitingCount'>; max: number };
  close(): Promise<void>;
}

/**
 * Opens the hub's database: `databaseUrl` when given, else the embedded PostgreSQL persisted under
 * `dataDir` (or in memory when `dataDir` is null, for tests; a new one started from `image` when given, see
 * `migratedImage`). Pending migrations are applied first.
 */
export async function openDatabase(options: { databaseUrl: string | null; dataDir: string | null; poolSize?: number; image?: Blob }): Promise<OpenDatabase> {
  let embedded: EmbeddedPostgres | null = null;
  let connectionString = options.databaseUrl;
  if (!connectionString) {
    embedded = await startEmbeddedPostgres(options.dataDir ? join(options.dataDir, 'db') : null, options.image);
    connectionString = embedded.connectionString;
  }
  try {
    const upToDate = await migrationsUpToDate(connectionString);
    await embedded?.waitForNoConnections();
    const applied = upToDate ? [] : await applyMigrations(connectionString);
    if (applied.length) logger.info({ migrations: applied }, 'database migrations applied');
    await embedded?.waitForNoConnections();
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  // The embedded server admits one connection: keep it open, even after a failed statement.
  const max = embedded ? 1 : (options.poolSize ?? 10);
  const pool = embedded ? embeddedPool(connectionString) : new pg.Pool({ connectionString, max });
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const prisma = new PrismaClient({ adapter });
  await prisma.$connect();
  return {
    prisma,
    embedded: embedded !== null,
    pool: { use: pool, max },
    async close() {
      await prisma.$disconnect();
      await embedded?.stop();
    },
  };
}

/**
 * An in-memory embedded database with every migration applied, as a tarball that `openDatabase({ image })`
 * starts from: tests make it once and start each hub's database from it instead of running initdb and the
 * migrations again.
 */
export async function migratedImage(): Promise<Blob> {
  const embedded = await startEmbeddedPostgres(null);
  try {
    await applyMigrations(embedded.connectionString);
    await embedded.waitForNoConnections();
    return await embedded.dumpImage();
  } finally {
    await embedded.stop();
  }
}

/** PostgreSQL's unique violation, as the driver adapter reports it through Prisma. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

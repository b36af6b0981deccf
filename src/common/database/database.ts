import { PrismaPg } from '@prisma/adapter-pg';
import { join } from 'node:path';
import pg from 'pg';
import { PrismaClient } from '../../generated/prisma/client.js';
import { embeddedPool } from './embedded-pool.js';
import type { EmbeddedPostgres } from './embedded-postgres.js';
import { applyMigrations, applyMigrationsApart, migrationsUpToDate } from './migrations.js';
import { logger } from '../logging/logger.js';
import { backupSocketPath, serveBackups } from './backup-socket.js';
import { DirectSql } from './direct-sql.js';
import type { BackupSocket } from './backup-socket.js';

export { PrismaClient, Prisma } from '../../generated/prisma/client.js';
export type Db = PrismaClient;
/** The client handed to code inside `db.$transaction(async (tx) => ...)`. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export const DATABASE = Symbol('Database');
/** The driver's pool for a hot path's single statement (`DirectSql`). */
export const DIRECT_SQL = Symbol('DirectSql');
export { DirectSql };

export interface OpenDatabase {
  prisma: PrismaClient;
  /** The same pool, past Prisma, for the hot path's one statement. */
  direct: DirectSql;
  /** Whether the embedded PostgreSQL serves it (one connection: keep transactions short). */
  embedded: boolean;
  /** The driver's connection pool and its size, for the metrics (one connection on the embedded database). */
  pool: { use: Pick<pg.Pool, 'totalCount' | 'idleCount' | 'waitingCount'>; max: number };
  close(): Promise<void>;
}

/**
 * The pool to a PostgreSQL server. A connection the server ends (a restart, a failover, `pg_terminate_backend`)
 * emits `error` on its client; a client checked out at that moment with no listener of its own (between a
 * transaction's statements) would crash the process with an unhandled error event. Every client gets a listener
 * for its whole life: the error is logged, the pool drops the broken client when it comes back, and the next
 * request gets a fresh connection.
 */
function serverPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error }, 'database connection lost'));
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection lost'));
  return pool;
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
    // Loaded only here: PGlite is megabytes of modules that a hub on a PostgreSQL server never uses.
    const { startEmbeddedPostgres } = await import('./embedded-postgres.js');
    embedded = await startEmbeddedPostgres(options.dataDir ? join(options.dataDir, 'db') : null, options.image);
    connectionString = embedded.connectionString;
  }
  try {
    const upToDate = await migrationsUpToDate(connectionString);
    await embedded?.waitForNoConnections();
    const applied = upToDate ? [] : await applyMigrationsApart(connectionString);
    if (applied.length) logger.info({ migrations: applied }, 'database migrations applied');
    await embedded?.waitForNoConnections();
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  // The embedded server admits one connection: keep it open, even after a failed statement.
  const max = embedded ? 1 : (options.poolSize ?? 10);
  const pool = embedded ? embeddedPool(connectionString) : serverPool(connectionString, max);
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const prisma = new PrismaClient({ adapter });
  await prisma.$connect();
  let backups: BackupSocket | null = null;
  if (embedded && options.dataDir) {
    const dbDir = join(options.dataDir, 'db');
    // A hub without the socket still runs: only a backup while it runs is lost, and the warning says so.
    try {
      backups = await serveBackups(dbDir, () => consistentDump(pool, embedded));
      if (!backups) logger.warn({ socket: backupSocketPath(dbDir) }, 'the data directory path is too long for the backup socket: stop the hub to back it up');
    } catch (error) {
      logger.warn({ err: error }, 'the backup socket could not be opened: stop the hub to back it up');
    }
  }
  return {
    prisma,
    direct: new DirectSql(pool, { prepare: !embedded }),
    embedded: embedded !== null,
    pool: { use: pool, max },
    async close() {
      await backups?.close();
      await prisma.$disconnect();
      await embedded?.stop();
    },
  };
}

/**
 * The embedded database's files at a moment when no statement or transaction runs: the pool's one connection is
 * taken (waiting for a transaction in progress to end) and held while a checkpoint writes every committed change to
 * the data files and PGlite copies them, so the copy opens without recovery. The hub waits meanwhile, about a
 * second for a small database.
 */
export async function consistentDump(pool: pg.Pool, embedded: EmbeddedPostgres): Promise<Blob> {
  const client = await pool.connect();
  try {
    await client.query('CHECKPOINT');
    return await embedded.dumpImage();
  } finally {
    client.release();
  }
}

/**
 * An in-memory embedded database with every migration applied, as a tarball that `openDatabase({ image })`
 * starts from: tests make it once and start each hub's database from it instead of running initdb and the
 * migrations again.
 */
export async function migratedImage(): Promise<Blob> {
  const { startEmbeddedPostgres } = await import('./embedded-postgres.js');
  const embedded = await startEmbeddedPostgres(null);
  try {
    await applyMigrations(embedded.connectionString);
    await embedded.waitForNoConnections();
    return await embedded.dumpImage();
  } finally {
    await embedded.stop();
  }
}

/**
 * PostgreSQL's unique violation, however it came: through Prisma's models (P2002), through `$queryRaw` (P2010, the
 * driver adapter's error inside), or from the driver itself (`DirectSql`, SQLSTATE 23505).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, meta } = error as { code?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } };
  if (code === 'P2002' || code === '23505') return true;
  return code === 'P2010' && meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation';
}

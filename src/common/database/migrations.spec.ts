import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import {
  applyMigrations,
  createMigration,
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_SCHEMA_PATH,
  MigrationError,
  migrationsUpToDate,
} from './migrations.js';

// One in-memory database for the file: the cases run in order and build on each other's state.
describe('migrations', () => {
  let db: EmbeddedPostgres;
  let scratch: string;
  let committed: string[];

  /** Queries on a connection of its own, closed before returning: the embedded database has one slot. */
  async function sql(text: string): Promise<Record<string, unknown>[]> {
    await db.waitForNoConnections();
    const client = new pg.Client({ connectionString: db.connectionString });
    await client.connect();
    try {
      return (await client.query(text)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }

  /** A migrations folder holding the committed migrations plus `extra` ones. */
  async function migrationsWith(extra: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(scratch, 'migrations-'));
    await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    for (const [name, script] of Object.entries(extra)) {
      await mkdir(join(dir, name));
      await writeFile(join(dir, name, 'migration.sql'), script);
    }
    return dir;
  }

  beforeAll(async () => {
    db = await startEmbeddedPostgres(null);
    scratch = await mkdtemp(join(tmpdir(), 'migrations-spec-'));
    committed = (await readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  }, 30_000);

  afterAll(async () => {
    await db?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('applies the committed migrations once, and nothing the second time', async () => {
    expect(committed.length).toBeGreaterThan(0);
    await expect(applyMigrations(db.connectionString)).resolves.toEqual(committed);
    await expect(applyMigrations(db.connectionString)).resolves.toEqual([]);
  }, 30_000);

  it('creates the tables and records each migration as prisma migrate deploy does', async () => {
    const tables = (await sql(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).map((row) => row.tablename);
    expect(tables).toEqual(expect.arrayContaining(['teams', 'members', 'conversations', 'messages', '_prisma_migrations']));
    const recorded = await sql(
      'SELECT migration_name, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(recorded).toHaveLength(committed.length);
    for (const [index, row] of recorded.entries()) {
      expect(row.migration_name).toBe(committed[index]);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  // The diff reads catalog columns of the internal "char" type, which must reach the engine as Character:
  // refused by the adapter, or reported as text (the engine panics once pg_constraint has rows), this fails.
  it('creates no migration when the database matches the schema', async () => {
    const before = await readdir(DEFAULT_MIGRATIONS_DIR);
    await expect(createMigration(db.connectionString, 'nothing')).resolves.toBeNull();
    expect(await readdir(DEFAULT_MIGRATIONS_DIR)).toEqual(before);
  }, 30_000);

  it('writes a timestamped migration and the lock file when the schema changed', async () => {
    const migrationsDir = await migrationsWith({});
    await rm(join(migrationsDir, 'migration_lock.toml'));
    const schemaPath = join(scratch, 'schema.prisma');
    const schema = await readFile(DEFAULT_SCHEMA_PATH, 'utf8');
    await writeFile(schemaPath, `${schema}\nmodel Probe {\n  id    String @id\n  label String @unique\n\n  @@map("probes")\n}\n`);

    const folder = await createMigration(db.connectionString, 'Add probes!', { migrationsDir, schemaPath });

    expect(folder).toMatch(/[/\\]\d{14}_add_probes$/);
    const script = await readFile(join(folder!, 'migration.sql'), 'utf8');
    expect(script).toContain('CREATE TABLE "probes"');
    expect(script).toContain('CREATE UNIQUE INDEX "probes_label_key"');
    expect(script).not.toContain('"teams"');
    expect(await readFile(join(migrationsDir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
    // Written, not applied.
    expect(await sql(`SELECT to_regclass('probes') AS probes`)).toEqual([{ probes: null }]);
  }, 30_000);

  // Guards the failure seen with another driver adapter: a migration whose SQL failed was recorded as applied,
  // silently. It must throw with its name and PostgreSQL's error, roll back whole, and stay recorded as failed.
  it('throws naming a failing migration, rolls it back and does not record it as applied', async () => {
    const broken = '20990101000000_broken';
    const migrationsDir = await migrationsWith({
      [broken]: 'CREATE TABLE "half_done" (id integer);\nSELECT * FROM "no_such_table";\n',
    });

    const failure = applyMigrations(db.connectionString, { migrationsDir });

    await expect(failure).rejects.toThrow(MigrationError);
    await expect(failure).rejects.toThrow(new RegExp(`Migration ${broken} failed.*relation "no_such_table" does not exist`));
    const [row] = await sql(`SELECT finished_at, logs FROM _prisma_migrations WHERE migration_name = '${broken}'`);
    expect(row.finished_at).toBeNull();
    expect(row.logs).toContain('no_such_table');
    expect(await sql(`SELECT to_regclass('half_done') AS half_done`)).toEqual([{ half_done: null }]);
    // Later deploys refuse to run past it, still naming it.
    await expect(applyMigrations(db.connectionString, { migrationsDir })).rejects.toThrow(
      new RegExp(`Migration ${broken} failed in an earlier deploy`),
    );

    // The way out the error message gives.
    await sql(
      `UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '${broken}' AND finished_at IS NULL`,
    );
    await expect(applyMigrations(db.connectionString)).resolves.toEqual([]);
  }, 30_000);

  // Guards the start-up of a hub on an up-to-date database: it must not load the engine (tens of megabytes of
  // WebAssembly), and must still hand the engine every case it has to apply or report.
  it('tells an up-to-date database from one with a pending or a failed migration', async () => {
    const upToDate = async (options?: { migrationsDir: string }) => {
      await db.waitForNoConnections();
      return migrationsUpToDate(db.connectionString, options);
    };
    expect(await upToDate()).toBe(true);
    const pending = await migrationsWith({ '20990101000001_probe': 'CREATE TABLE "probe" (id integer);\n' });
    expect(await upToDate({ migrationsDir: pending })).toBe(false);
    await sql(`INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('failed-probe', '', '20990101000002_failed', now(), 0)`);
    expect(await upToDate()).toBe(false);
    await sql(`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = 'failed-probe'`);
    expect(await upToDate()).toBe(true);
    const empty = await startEmbeddedPostgres(null);
    try {
      await expect(migrationsUpToDate(empty.connectionString)).resolves.toBe(false);
    } finally {
      await empty.stop();
    }
  }, 30_000);

  // The embedded database admits one connection: one the engine left open would lock the hub out.
  it('leaves no connection open', async () => {
    await db.waitForNoConnections();
    const client = new pg.Client({ connectionString: db.connectionString });
    await client.connect();
    try {
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  });
});

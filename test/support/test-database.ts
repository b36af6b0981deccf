import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { applyMigrations } from '../../src/common/database/migrations.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Where the hub tests keep their databases. On a machine with a PostgreSQL server that answers (by default the local
 * one, as the service suite uses it), each test hub gets a database of its own, cloned in a few milliseconds from a
 * template that holds the migrated schema: native PostgreSQL runs a file's queries at a fraction of the CPU the
 * embedded one needs, and the template is migrated once per schema version, not once per hub. Without one, or with
 * `HUB_TEST_DATABASE=embedded`, every hub starts the embedded database from its image instead. The embedded database
 * stays covered either way: the medium tier, the restart scenarios (which keep a data directory) and the start tests
 * run on it always.
 */
export type TestDatabaseServer = { url: URL } | null;

const ADMIN_URL = process.env.HUB_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'tsunagi_test_hub';

let server: Promise<TestDatabaseServer> | null = null;

/** The PostgreSQL server the hub tests use, or null for the embedded database. Asked once per test file. */
export function testDatabaseServer(): Promise<TestDatabaseServer> {
  server ??= findServer();
  return server;
}

async function findServer(): Promise<TestDatabaseServer> {
  const choice = process.env.HUB_TEST_DATABASE ?? 'auto';
  if (choice === 'embedded') return null;
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    await client.end().catch(() => {});
    if (choice === 'postgres') throw new Error(`HUB_TEST_DATABASE=postgres, but ${redact(ADMIN_URL)} does not answer: ${(error as Error).message}`, { cause: error });
    return null;
  }
  try {
    await ensureTemplate(client);
    return { url: new URL(ADMIN_URL) };
  } finally {
    await client.end();
  }
}

/** The name of the template of this schema version: a changed migration makes a new one, never a stale one. */
async function templateName(): Promise<string> {
  const hash = createHash('sha256');
  const migrationsDir = join(root, 'prisma', 'migrations');
  for (const name of (await readdir(migrationsDir)).sort()) {
    hash.update(name);
    const sql = await readFile(join(migrationsDir, name, 'migration.sql')).catch(() => null);
    if (sql) hash.update(sql);
  }
  return `${PREFIX}_template_${hash.digest('hex').slice(0, 12)}`;
}

async function ensureTemplate(client: pg.Client): Promise<void> {
  const template = await templateName();
  // Several workers (and several checkouts) may start at once: one makes the template, the others wait for it.
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (rowCount) return;
    const building = `${template}_building`;
    await client.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${building}`);
    await applyMigrations(databaseUrl(building));
    await client.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
    await client.query(`ALTER DATABASE ${template} WITH IS_TEMPLATE true`);
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
  }
}

let counter = 0;

/** A new database for one test hub, cloned from the migrated template, and the way to drop it. */
export async function createHubDatabase(): Promise<{ url: string; drop(): Promise<void> } | null> {
  if (!(await testDatabaseServer())) return null;
  const template = await templateName();
  // Named after the jest run (the worker's parent) so that a run can sweep what a crashed earlier one left behind.
  const name = `${PREFIX}_${process.ppid}_${process.pid}_${counter++}`;
  await admin(async (client) => {
    await sweepOrphans(client);
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  });
  return {
    url: databaseUrl(name),
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => {})),
  };
}

let swept = false;
/** Drops the databases of earlier runs whose jest process is gone (a crash or a kill skips the drop). */
async function sweepOrphans(client: pg.Client): Promise<void> {
  if (swept) return;
  swept = true;
  const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ $1`, [`^${PREFIX}_[0-9]+_[0-9]+_[0-9]+$`]);
  for (const { datname } of rows) {
    const runner = Number(datname.slice(PREFIX.length + 1).split('_')[0]);
    if (runner !== process.ppid && !alive(runner)) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

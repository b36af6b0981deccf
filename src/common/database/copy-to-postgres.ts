// Moving a hub off the embedded database: its rows copied into an empty PostgreSQL database that the hub's own
// migrations have given the same schema. Through the driver, not pg_dump: PGlite is PostgreSQL 18, and a pg_dump
// older than the server refuses to dump it (and a newer one writes SQL an older server may not read).
import { join } from 'node:path';
import pg from 'pg';
import { directoryHolder, holdsDatabase, startEmbeddedPostgres } from './embedded-postgres.js';
import { applyMigrations, migrationsUpToDate } from './migrations.js';

export interface CopiedTable {
  table: string;
  rows: number;
}

// Rows per INSERT: a statement takes at most 65,535 parameters, and a batch this size keeps each one small.
const BATCH_ROWS = 500;
const MAX_PARAMETERS = 30_000;

/**
 * Copies the embedded database under `dataDir` into the empty database at `databaseUrl`: migrates it first, then
 * copies every table in one transaction, parents before children, in batches, and sets each sequence where the
 * source's stood. Refuses while a hub holds the directory (its rows would still change) and a target that holds
 * any table. Answers each table's row count, checked against the source's.
 */
export async function copyToPostgres(dataDir: string, databaseUrl: string, progress: (line: string) => void = () => {}): Promise<CopiedTable[]> {
  const dbDir = join(dataDir, 'db');
  const hubPid = await directoryHolder(dbDir);
  if (hubPid) throw new Error(`a hub (pid ${hubPid}) is running on ${dataDir}: stop it first, so that no row changes during the copy`);
  if (!(await holdsDatabase(dbDir))) throw new Error(`${dataDir} holds no embedded database (HUB_DATA_DIR names the hub's data directory)`);

  const target = new pg.Client({ connectionString: databaseUrl });
  await target.connect().catch((error: unknown) => {
    throw new Error(`cannot connect to the target database: ${(error as Error).message}`, { cause: error });
  });
  try {
    const present = await target.query<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
       ORDER BY 1 LIMIT 6`,
    );
    if (present.rows.length) {
      const names = present.rows.slice(0, 5).map((row) => row.name);
      throw new Error(`the target database is not empty (it holds ${names.join(', ')}${present.rows.length > 5 ? ', ...' : ''}): give it a new, empty database`);
    }

    const embedded = await startEmbeddedPostgres(dbDir);
    try {
      if (!(await migrationsUpToDate(embedded.connectionString))) {
        throw new Error(`the embedded database in ${dataDir} misses migrations of this version: run \`npm run db:migrate\` (or start the hub once) before moving it`);
      }
      await embedded.waitForNoConnections();
      progress('migrating the target database');
      await applyMigrations(databaseUrl);
      // Values travel as PostgreSQL's own text: every type reads back what it wrote, with no JavaScript conversion.
      const source = new pg.Client({ connectionString: embedded.connectionString, types: { getTypeParser: () => (value: string) => value } });
      await source.connect();
      try {
        return await copyTables(source, target, progress);
      } catch (error) {
        throw new Error(`${(error as Error).message} (the target database keeps the schema: drop and create it again before trying again)`, { cause: error });
      } finally {
        await source.end();
        await embedded.waitForNoConnections();
      }
    } finally {
      await embedded.stop();
    }
  } finally {
    await target.end();
  }
}

async function copyTables(source: pg.Client, target: pg.Client, progress: (line: string) => void): Promise<CopiedTable[]> {
  const migrations = `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY 1`;
  const [ours, theirs] = await Promise.all([source.query<{ migration_name: string }>(migrations), target.query<{ migration_name: string }>(migrations)]);
  const newer = ours.rows.map((row) => row.migration_name).filter((name) => !theirs.rows.some((row) => row.migration_name === name));
  if (newer.length) {
    throw new Error(`the embedded database has migrations this version does not know (${newer.join(', ')}): move it with the version that made them`);
  }
  const tables = await columnsByTable(target);
  const sourceTables = await columnsByTable(source);
  for (const [table, columns] of tables) {
    if (sourceTables.get(table)?.join() !== columns.join()) throw new Error(`the table ${table} differs between the two databases`);
  }
  const { order, cyclic } = await parentsFirst(target, [...tables.keys()]);
  const copied: CopiedTable[] = [];
  await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await target.query('BEGIN');
  try {
    // Tables that reference each other (or themselves) cannot be ordered: their checks wait for the end, which needs
    // a superuser. The hub's schema has none today.
    if (cyclic) await target.query('SET LOCAL session_replication_role = replica');
    for (const table of order) {
      const rows = await copyTable(source, target, table, tables.get(table)!);
      copied.push({ table, rows });
      progress(`${table}: ${rows} rows`);
    }
    await copySequences(source, target);
    await target.query('COMMIT');
  } catch (error) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await source.query('ROLLBACK').catch(() => undefined);
  }
  return copied;
}

async function copyTable(source: pg.Client, target: pg.Client, table: string, columns: string[]): Promise<number> {
  const columnList = columns.map(quote).join(', ');
  const batch = Math.max(1, Math.min(BATCH_ROWS, Math.floor(MAX_PARAMETERS / columns.length)));
  await source.query(`DECLARE copy_rows NO SCROLL CURSOR FOR SELECT ${columnList} FROM ${quote(table)}`);
  let copied = 0;
  for (;;) {
    const { rows } = await source.query<Record<string, string | null>>(`FETCH ${batch} FROM copy_rows`);
    if (!rows.length) break;
    const values: (string | null)[] = [];
    const tuples = rows.map((row) => `(${columns.map((column) => `$${values.push(row[column])}`).join(', ')})`);
    // OVERRIDING SYSTEM VALUE: an identity column keeps the source's value.
    await target.query(`INSERT INTO ${quote(table)} (${columnList}) OVERRIDING SYSTEM VALUE VALUES ${tuples.join(', ')}`, values);
    copied += rows.length;
  }
  await source.query('CLOSE copy_rows');
  const counted = await source.query<{ count: string }>(`SELECT count(*) AS count FROM ${quote(table)}`);
  if (Number(counted.rows[0].count) !== copied) throw new Error(`${table}: ${copied} rows copied of ${counted.rows[0].count}`);
  return copied;
}

/** Each sequence set where the source's stood, so that new rows never take a number already given. */
async function copySequences(source: pg.Client, target: pg.Client): Promise<void> {
  const sequences = await target.query<{ name: string }>(
    `SELECT sequencename AS name FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1`,
  );
  for (const { name } of sequences.rows) {
    const state = await source.query<{ last_value: string; is_called: string }>(`SELECT last_value, is_called FROM ${quote(name)}`);
    const { last_value: lastValue, is_called: isCalled } = state.rows[0];
    await target.query('SELECT setval($1::regclass, $2::bigint, $3::boolean)', [quote(name), lastValue, isCalled === 't' || isCalled === 'true']);
  }
}

/** The ordinary tables of the current schema and their stored columns (generated ones are left to the database). */
async function columnsByTable(client: pg.Client): Promise<Map<string, string[]>> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    `SELECT c.relname AS table_name, a.attname AS column_name
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'
       AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
     ORDER BY c.relname, a.attnum`,
  );
  const tables = new Map<string, string[]>();
  for (const row of rows) tables.set(row.table_name, [...(tables.get(row.table_name) ?? []), row.column_name]);
  return tables;
}

/** The tables in an order where each comes after those its foreign keys reference; `cyclic` when none exists. */
async function parentsFirst(client: pg.Client, tables: string[]): Promise<{ order: string[]; cyclic: boolean }> {
  const { rows } = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
     JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE k.contype = 'f' AND n.nspname = current_schema()`,
  );
  const parents = new Map(tables.map((table) => [table, new Set<string>()]));
  let cyclic = false;
  for (const { child, parent } of rows) {
    if (child === parent) cyclic = true;
    else parents.get(child)?.add(parent);
  }
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < tables.length) {
    const ready = tables.filter((table) => !placed.has(table) && [...parents.get(table)!].every((parent) => placed.has(parent)));
    if (!ready.length) {
      // A cycle: the rest in any order, with the checks off (see copyTables).
      cyclic = true;
      ready.push(...tables.filter((table) => !placed.has(table)));
    }
    for (const table of ready) {
      order.push(table);
      placed.add(table);
    }
  }
  return { order, cyclic };
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

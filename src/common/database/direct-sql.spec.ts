import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { Prisma } from '../../generated/prisma/client.js';
import { isUniqueViolation } from './database.js';
import { ConnectionWaitTimeout, DirectSql } from './direct-sql.js';
import { embeddedPool } from './embedded-pool.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import type { EmbeddedPostgres } from './embedded-postgres.js';

describe(DirectSql.name, () => {
  let embedded: EmbeddedPostgres;
  // The embedded server's pool of one, as the hub opens it: the hardest case for waiting and for failed statements.
  let pool: pg.Pool;
  let sql: DirectSql;

  beforeAll(async () => {
    embedded = await startEmbeddedPostgres(null);
    pool = embeddedPool(embedded.connectionString);
    sql = new DirectSql(pool);
    await pool.query('CREATE TABLE notes (id text PRIMARY KEY, seq bigserial, at timestamp(3) NOT NULL)');
  });

  afterAll(async () => {
    await pool.end();
    await embedded.stop();
  });

  // Prisma stores a DateTime as a timestamp without time zone in UTC; read as pg's default would (local time), every
  // date off the hot path would move by the process's offset.
  it('reads rows as Prisma does: an int8 as a bigint, a timestamp as the UTC instant Prisma stored', async () => {
    const at = new Date('2026-12-06T09:30:00.123Z');

    const rows = await sql.query<{ at: Date; seq: bigint }>(Prisma.sql`INSERT INTO notes (id, at) VALUES (${'a'}, ${at}::timestamp) RETURNING at, seq`, 1_000);

    // (The timestamp half can only fail in a process off UTC, where pg's default parser reads local time.)
    expect(rows).toEqual([{ at, seq: 1n }]);
    expect(await sql.query(Prisma.sql`SELECT to_char(at, 'HH24:MI') AS stored FROM notes`, 1_000)).toEqual([{ stored: '09:30' }]);
  });

  it('reports a unique violation as one, and keeps the only connection usable after it', async () => {
    const failed = await sql.query(Prisma.sql`INSERT INTO notes (id, at) VALUES (${'a'}, now())`, 1_000).catch((error: unknown) => error);

    expect(isUniqueViolation(failed)).toBe(true);
    expect(await sql.query(Prisma.sql`SELECT count(*)::int AS n FROM notes`, 1_000)).toEqual([{ n: 1 }]);
  });

  // A webhook refused for want of a connection is answered 503 and must have stored nothing, even later.
  it('gives up after its wait when no connection is free, and never sends the statement afterwards', async () => {
    const holder = await pool.connect();

    const refused = await sql.query(Prisma.sql`INSERT INTO notes (id, at) VALUES (${'late'}, now())`, 50).catch((error: unknown) => error);
    holder.release();
    await sleep(100);

    expect(refused).toBeInstanceOf(ConnectionWaitTimeout);
    expect(await sql.query(Prisma.sql`SELECT id FROM notes WHERE id = ${'late'}`, 1_000)).toEqual([]);
  });
});

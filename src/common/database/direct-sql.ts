import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Prisma } from '../../generated/prisma/client.js';

/** The wait for a connection ran out before the statement was sent: nothing was written. */
export class ConnectionWaitTimeout extends Error {
  constructor(waitedMs: number) {
    super(`no database connection within ${waitedMs} ms`);
  }
}

/** Distinct statement texts prepared at most. */
const MAX_PREPARED = 64;

// PostgreSQL's type ids of the columns read differently from pg's defaults.
const TIMESTAMP = 1114;
const INT8 = 20;

/**
 * Rows as Prisma's `$queryRaw` gives them, so that one statement reads the same through either door: a `timestamp`
 * (without time zone, as Prisma stores every DateTime) is UTC, not the process's local time; an int8 is a bigint.
 */
const prismaLikeTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === TIMESTAMP) return (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
    if (oid === INT8) return (value: string) => BigInt(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

/**
 * One statement straight on the driver's pool, past Prisma's query engine, which costs more CPU than the statement
 * itself on the hot path (a known customer's message: one statement, no transaction). The SQL is the same on
 * PostgreSQL and on the embedded database, written as a `Prisma.sql` template so that it can also run through
 * `tx.$queryRaw` inside a transaction. Parameters go as Prisma sends them (a Date as its ISO text in UTC).
 */
export class DirectSql {
  /** The name each statement text is prepared under, on each connection the first time it runs there. */
  private readonly names = new Map<string, string>();

  /**
   * `prepare`: statements are prepared once per connection and then only bound and executed, so the hot path's long
   * texts are neither sent nor parsed and planned again for every message. Off for the embedded database, whose one
   * session outlives a reconnected client (which would prepare a name the session already has).
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { prepare: boolean } = { prepare: false },
  ) {}

  /** Runs `statement` once a connection is free; refuses with `ConnectionWaitTimeout` after `maxWaitMs` without one. */
  async query<T>(statement: Prisma.Sql, maxWaitMs: number): Promise<T[]> {
    const client = await this.connect(maxWaitMs);
    // A socket error during the query rejects it; without a listener it would also crash the process.
    const ignore = () => {};
    client.on('error', ignore);
    try {
      const values = statement.values.map((value) => (value instanceof Date ? value.toISOString() : value));
      const result = await client.query({ text: statement.text, values, types: prismaLikeTypes, name: this.nameOf(statement.text) });
      return result.rows as T[];
    } finally {
      client.removeListener('error', ignore);
      // Without an error: a statement that failed (a unique violation) leaves the connection good, and the embedded
      // server, which admits one, refuses an immediate reconnect.
      client.release();
    }
  }

  /** A name per distinct text (the hot path has a handful); unnamed past a bound, in case a caller builds texts freely. */
  private nameOf(text: string): string | undefined {
    if (!this.options.prepare) return undefined;
    let name = this.names.get(text);
    if (!name && this.names.size < MAX_PREPARED) {
      name = `direct_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      this.names.set(text, name);
    }
    return name;
  }

  private connect(maxWaitMs: number): Promise<pg.PoolClient> {
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        reject(new ConnectionWaitTimeout(maxWaitMs));
      }, maxWaitMs);
      this.pool.connect().then(
        (client) => {
          clearTimeout(timer);
          // Given up on already: the connection goes back unused, so a refused request stores nothing.
          if (late) client.release();
          else resolve(client);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}

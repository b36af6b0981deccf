import pg from 'pg';

// Apart from embedded-postgres.ts, which loads PGlite: a hub on a PostgreSQL server (and the migrations' driver
// adapter) needs these without loading it.

/**
 * pg's pool closes its connection after any failed query, even a failed statement, and the embedded server
 * refuses the next connection until it has seen the old one close: the engine's next query (recording a failed
 * migration's error) would fail with "Connection terminated unexpectedly". A failed statement leaves the
 * connection usable, so keep it; pg still drops a connection that broke (`release()` checks).
 * adapter-pg only calls `pool.query(textOrConfig)` and awaits the promise.
 */
export function keepConnectionAfterFailedStatements(pool: pg.Pool): void {
  pool.query = (async (query: string | pg.QueryConfig) => {
    const client = await pool.connect();
    // A socket error during the query rejects the query; without a listener it would also crash the process.
    const ignore = () => {};
    client.on('error', ignore);
    try {
      return await client.query(query);
    } finally {
      client.removeListener('error', ignore);
      client.release();
    }
  }) as typeof pool.query;
}

/**
 * A pool of the embedded server's single connection. pg's pool drops a connection after any failed statement
 * and the server refuses the immediate reconnect, so the query after a unique violation would fail too: the
 * connection is kept (it is still good after a statement error).
 */
export function embeddedPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 1, idleTimeoutMillis: 0 });
  keepConnectionAfterFailedStatements(pool);
  return pool;
}

// What the schema engine reaches the database through: `@prisma/adapter-pg`, corrected where the engine and
// adapter-pg disagree (PostgreSQL's internal "char" columns, scripts split at every ";"). The engine itself is
// loaded in schema-engine.ts; the migration commands that join the two are in migrations.ts.
import { keepConnectionAfterFailedStatements } from './embedded-pool.js';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
} from '@prisma/driver-adapter-utils';
import type pg from 'pg';

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** Result rows holding PostgreSQL's internal "char" columns, with those columns' indexes. */
const charColumnsByRows = new WeakMap<unknown[], number[]>();

/**
 * The driver adapter factory handed to the engine: `@prisma/adapter-pg` with a pool of one connection (the
 * embedded database admits one), keeping every connection it opens so they can be closed afterwards.
 */
export class EngineConnections implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName: string;
  /** The database's error from the last migration script that failed. */
  scriptError: unknown = null;
  private readonly factory: PrismaPg;
  private readonly opened: EngineAdapter[] = [];

  constructor(connectionString: string) {
    this.factory = new PrismaPg({ connectionString, max: 1 });
    this.adapterName = this.factory.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    return this.track(await this.factory.connect());
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    return this.track(await this.factory.connectToShadowDb());
  }

  /** Queries through the engine's own connection: the embedded database has no other slot. */
  async query(sql: string): Promise<unknown[][]> {
    const adapter = this.opened[0];
    if (!adapter) throw new Error('The schema engine has no open connection');
    return (await adapter.queryRaw({ sql, args: [], argTypes: [] })).rows;
  }

  async disposeAll(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((adapter) => adapter.dispose()));
  }

  private track(adapter: PgAdapter): EngineAdapter {
    const wrapped = new EngineAdapter(adapter, (error) => {
      this.scriptError = error;
    });
    this.opened.push(wrapped);
    return wrapped;
  }
}

type PgAdapter = Awaited<ReturnType<PrismaPg['connect']>>;

/** `@prisma/adapter-pg` with the two changes the engine needs (see `queryRaw` and `executeScript`). */
class EngineAdapter implements SqlDriverAdapter {
  readonly provider = 'postgres';
  readonly adapterName: string;
  private disposed = false;

  constructor(
    private readonly inner: PgAdapter,
    private readonly onScriptError: (error: unknown) => void,
  ) {
    this.adapterName = inner.adapterName;
    const pool = inner.underlyingDriver();
    pool.on('connect', relabelCharColumns);
    keepConnectionAfterFailedStatements(pool);
  }

  /**
   * The engine reads catalog columns of PostgreSQL's internal `"char"` type (pg_constraint.contype and the
   * like), which adapter-pg refuses ("Column type 'char' could not be deserialized"). They reach adapter-pg
   * labelled as text and the engine as the adapter's Character type: reported as Text, the engine panics.
   */
  async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return withCharacterColumns(await this.inner.queryRaw(query));
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return this.inner.executeRaw(query);
  }

  /**
   * adapter-pg splits a script at every ";" and runs the pieces one by one, so a failure leaves the statements
   * before it applied, and a ";" inside a string or a function body breaks it. Sent whole and without
   * parameters, the script goes out as one simple query, which PostgreSQL runs as one implicit transaction:
   * all or nothing, as with Prisma's native engine.
   */
  async executeScript(script: string): Promise<void> {
    try {
      await this.inner.executeRaw({ sql: script, args: [], argTypes: [] });
    } catch (error) {
      this.onScriptError(error);
      throw error;
    }
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    const transaction = await this.inner.startTransaction(isolationLevel);
    return {
      provider: transaction.provider,
      adapterName: transaction.adapterName,
      options: transaction.options,
      queryRaw: async (query) => withCharacterColumns(await transaction.queryRaw(query)),
      executeRaw: (query) => transaction.executeRaw(query),
      commit: () => transaction.commit(),
      rollback: () => transaction.rollback(),
    };
  }

  getConnectionInfo() {
    return this.inner.getConnectionInfo();
  }

  async dispose(): Promise<void> {
    // The pool refuses a second end().
    if (this.disposed) return;
    this.disposed = true;
    await this.inner.dispose();
  }
}

function withCharacterColumns(result: SqlResultSet): SqlResultSet {
  for (const index of charColumnsByRows.get(result.rows) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
  return result;
}

/**
 * Makes a pooled pg client label `"char"` result columns as text, remembering which they were by the result's
 * rows array, which adapter-pg passes on unchanged. The values are strings either way.
 */
function relabelCharColumns(client: pg.PoolClient): void {
  // pg's query() has many overloads (promise, callback, submittable): forward every one unchanged.
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (error: unknown, result: unknown) => callback(error, error ? result : relabel(result));
      return query(...args);
    }
    const returned = query(...args);
    return isThenable(returned) ? returned.then(relabel) : returned;
  };
}

function relabel(result: unknown): unknown {
  // A script of several statements yields one result per statement.
  for (const one of Array.isArray(result) ? result : [result]) {
    if (typeof one !== 'object' || one === null) continue;
    const { fields, rows } = one as { fields?: unknown; rows?: unknown };
    if (!Array.isArray(fields) || !Array.isArray(rows)) continue;
    const indexes: number[] = [];
    fields.forEach((field: { dataTypeID?: unknown }, index) => {
      if (field.dataTypeID === PG_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID;
        indexes.push(index);
      }
    });
    if (indexes.length) charColumnsByRows.set(rows, indexes);
  }
  return result;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

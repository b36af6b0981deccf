import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { logger } from '../logging/logger.js';

/** PostgreSQL compiled to WebAssembly, running in this process and served on a loopback port. */
export interface EmbeddedPostgres {
  connectionString: string;
  /** The whole data directory as a tarball, to start another database from (see `image`). */
  dumpImage(): Promise<Blob>;
  /** Resolves once no client is connected: the server admits a single connection at a time. */
  waitForNoConnections(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts PGlite persisted under `dataDir` (or in memory when `dataDir` is null) and serves it over the
 * PostgreSQL protocol, so the hub reaches it through the same driver adapter as a real server.
 *
 * A database that does not exist yet can start from `image`, a tarball of another one's data directory
 * (`dumpImage`): that skips initdb, which is most of the start-up cost (about 1.5 s of a 2-core machine against
 * 0.3 s in memory, 2.5 s against 0.9 s on disk), so tests start each hub from an image of the migrated schema.
 * An existing directory is opened as it is and the image ignored.
 *
 * One connection only: pglite-socket mixes up concurrent connections' results (an open upstream bug), and
 * PGlite is one connection underneath anyway. Clients use a pool of one.
 *
 * Run compiled (`npm start`), PGlite and its socket live in a worker thread: PostgreSQL's work (most of what a message
 * costs on the embedded database) then runs beside the hub's own instead of taking turns with it on one event loop,
 * and a long query no longer stalls every socket of the hub. Run from the TypeScript sources (the tests' transform)
 * there is no compiled worker to start, and the database runs in this thread, as it did before.
 */
export async function startEmbeddedPostgres(dataDir: string | null, image?: Blob): Promise<EmbeddedPostgres> {
  let releaseLock = async () => {};
  let path: string | null = null;
  let startImage = image;
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    releaseLock = await lockDirectory(dataDir);
    path = join(dataDir, 'pgdata');
    if (await holdsDatabase(dataDir)) startImage = undefined;
  }
  try {
    const script = new URL('./embedded-postgres-worker.js', import.meta.url);
    const served = existsSync(fileURLToPath(script)) ? await serveInWorker(script, path, startImage) : await serveEmbedded(path, startImage);
    return {
      ...served,
      async stop() {
        await served.stop();
        await releaseLock();
      },
    };
  } catch (error) {
    await releaseLock();
    throw error;
  }
}

/** PGlite at `path` (in memory when null) served on a loopback port, in the thread that calls it. */
export async function serveEmbedded(path: string | null, image?: Blob): Promise<EmbeddedPostgres> {
  // pg_trgm comes from PGlite's own package (the catalog's typo-tolerant search): nothing is fetched.
  const options = { extensions: { pg_trgm }, ...(image ? { loadDataDir: image } : {}) };
  const db = path ? new PGlite(path, options) : new PGlite(options);
  await db.waitReady;
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  return {
    connectionString: `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`,
    async dumpImage() {
      // Uncompressed: loading a 40 MB tarball is quicker than inflating a 5 MB one.
      return db.dumpDataDir('none');
    },
    async waitForNoConnections() {
      // A closed client is forgotten by the server one tick later; connecting before that is refused.
      for (let i = 0; i < 200 && server.getStats().activeConnections > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/** What the worker is started with: where the database lives, and the image a new one starts from. */
export interface EmbeddedWorkerData {
  path: string | null;
  image: ArrayBuffer | null;
}

/** What the hub asks of the worker; each answer carries the request's id back (and `failed` when it failed). */
export type EmbeddedRequest = { id: number; kind: 'dump' | 'idle' | 'stop' };

/**
 * `serveEmbedded` in a worker thread. The worker ending on its own (PGlite aborting) leaves the hub without its
 * database for good: the process says so and exits, as it would have with PGlite in its own thread.
 */
async function serveInWorker(script: URL, path: string | null, image?: Blob): Promise<EmbeddedPostgres> {
  const bytes = image ? await image.arrayBuffer() : null;
  const worker = new Worker(script, { workerData: { path, image: bytes } satisfies EmbeddedWorkerData, transferList: bytes ? [bytes] : [] });
  let stopping = false;
  let started = false;
  const waiting = new Map<number, { resolve: (answer: { image?: ArrayBuffer }) => void; reject: (error: Error) => void }>();
  // One listener each for the whole life of the worker (removing all of a Worker's listeners unwires its messages).
  const connectionString = await new Promise<string>((resolve, reject) => {
    worker.on('message', (answer: { ready?: string; id?: number; image?: ArrayBuffer; failed?: string }) => {
      if (!started) {
        started = true;
        return answer.ready ? resolve(answer.ready) : reject(new Error(`The embedded database did not start: ${answer.failed}`));
      }
      const call = waiting.get(answer.id!);
      waiting.delete(answer.id!);
      if (answer.failed) call?.reject(new Error(answer.failed));
      else call?.resolve(answer);
    });
    worker.on('error', (error) => (started ? logger.fatal({ err: error }, 'the embedded database failed') : reject(error)));
    worker.on('exit', (code) => {
      for (const call of waiting.values()) call.reject(new Error(`The embedded database's thread stopped (exit code ${code})`));
      waiting.clear();
      if (!started) return reject(new Error(`The embedded database's thread stopped (exit code ${code}) before it started`));
      if (stopping) return;
      logger.fatal({ code }, 'the embedded database stopped; the hub cannot go on without it');
      process.exit(1);
    });
  });
  let next = 0;
  const ask = (kind: EmbeddedRequest['kind']) =>
    new Promise<{ image?: ArrayBuffer }>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, kind } satisfies EmbeddedRequest);
    });
  return {
    connectionString,
    async dumpImage() {
      return new Blob([(await ask('dump')).image!]);
    },
    async waitForNoConnections() {
      await ask('idle');
    },
    async stop() {
      stopping = true;
      await ask('stop').catch(() => undefined);
      await worker.terminate();
    },
  };
}

const LOCK_FILE = 'hub.pid';

/** Whether `dataDir` holds an embedded database already (a new directory would be initialised instead). */
export function holdsDatabase(dataDir: string): Promise<boolean> {
  return stat(join(dataDir, 'pgdata', 'PG_VERSION')).then(() => true, () => false);
}

/** The pid of the live process (another than this one) that holds `dataDir`, or null when none does. */
export async function directoryHolder(dataDir: string): Promise<number | null> {
  const pid = Number((await readFile(join(dataDir, LOCK_FILE), 'utf8').catch(() => '')).trim());
  return pid && pid !== process.pid && isAlive(pid) ? pid : null;
}

/**
 * PGlite does not lock its directory, and two processes writing one directory silently lose writes:
 * a pid file refuses the second process, unless the pid it names is no longer alive.
 */
async function lockDirectory(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = await directoryHolder(dataDir);
      if (pid) {
        throw new Error(
          `The data directory ${dataDir} is in use by another hub process (pid ${pid}). ` +
            'Stop it, or set HUB_DATA_DIR to another directory.',
          { cause: error },
        );
      }
      await rm(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock the data directory ${dataDir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

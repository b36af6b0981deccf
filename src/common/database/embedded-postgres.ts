import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

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
 */
export async function startEmbeddedPostgres(dataDir: string | null, image?: Blob): Promise<EmbeddedPostgres> {
  let releaseLock = async () => {};
  let db: PGlite;
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    releaseLock = await lockDirectory(dataDir);
    const exists = await holdsDatabase(dataDir);
    db = new PGlite(join(dataDir, 'pgdata'), image && !exists ? { loadDataDir: image } : {});
  } else {
    db = new PGlite(image ? { loadDataDir: image } : {});
  }
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
      await releaseLock();
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

// Backups of a hub on the embedded database: one gzipped tarball holding the database's files, the secret key that
// opens the channel credentials sealed in it (unless the key comes from the environment), and the files customers
// sent (attachments). Restored into an empty data directory, a hub starts on it as it was.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, posix, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { decodeKey } from '../config/config.js';
import { requestBackup } from './backup-socket.js';
import { consistentDump } from './database.js';
import { embeddedPool } from './embedded-pool.js';
import { directoryHolder, holdsDatabase, startEmbeddedPostgres } from './embedded-postgres.js';

const MANIFEST = 'tsunagi-backup.json';
const KEY = 'secret.key';
// The Web Push key pair generated into the data directory (none when HUB_VAPID_* set it): browsers' subscriptions are
// bound to its public key, so a restore without it would silence every device until it subscribes again.
const VAPID = 'vapid.json';
const DATABASE = 'db/pgdata.tar';
const FILES = 'files';
const FORMAT = 1;

interface Manifest {
  format: number;
  /** `included`: secret.key is in the backup; `environment`: the hub's key is HUB_SECRET_KEY, kept apart. */
  secretKey: 'included' | 'environment';
}

export interface BackupSummary {
  /** Whether a running hub wrote the database's part (pid), or the command opened the directory itself (null). */
  hubPid: number | null;
  secretKey: Manifest['secretKey'];
  files: number;
}

/**
 * Writes a backup of the hub whose data directory is `dataDir` into `file` (0600: it holds the secret key), through
 * the hub when one holds the directory, else by opening the database itself (which keeps a hub from starting on it
 * meanwhile). `keyFromEnvironment`: the hub runs with HUB_SECRET_KEY, which is then left out.
 */
export async function writeBackup(dataDir: string, file: string, keyFromEnvironment: boolean): Promise<BackupSummary> {
  const dbDir = join(dataDir, 'db');
  const hubPid = await directoryHolder(dbDir);
  if (!hubPid && !(await holdsDatabase(dbDir))) throw new Error(`${dataDir} holds no embedded database (HUB_DATA_DIR names the hub's data directory)`);
  const key = keyFromEnvironment ? null : await readKeyFile(dataDir);
  const database = hubPid
    ? await requestBackup(dbDir).catch((error: unknown) => {
        throw new Error(`the hub holding ${dataDir} (pid ${hubPid}) did not write the backup: ${(error as Error).message}`, { cause: error });
      })
    : await dumpStopped(dbDir);
  const manifest: Manifest = { format: FORMAT, secretKey: key ? 'included' : 'environment' };
  const pack = tar.pack();
  const partial = `${file}.partial`;
  const written = pipeline(pack, createGzip(), createWriteStream(partial, { mode: 0o600 }));
  try {
    await addEntry(pack, MANIFEST, Buffer.from(JSON.stringify(manifest)));
    if (key) await addEntry(pack, KEY, key);
    const vapid = await readFile(join(dataDir, VAPID)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (vapid) await addEntry(pack, VAPID, vapid);
    await addEntry(pack, DATABASE, database);
    // After the database: a message in the copy had its file written before it was committed.
    const files = await storedFiles(join(dataDir, FILES));
    for (const name of files) await addEntry(pack, `${FILES}/${name}`, await readFile(join(dataDir, FILES, name)));
    pack.finalize();
    await written;
    await rename(partial, file);
    return { hubPid, secretKey: manifest.secretKey, files: files.length };
  } catch (error) {
    pack.destroy();
    await written.catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
}

export interface RestoreSummary {
  secretKey: Manifest['secretKey'];
  files: number;
}

/** Brings the backup in `file` into `dataDir`, which must be empty or absent; removes what it wrote if it fails. */
export async function restoreBackup(file: string, dataDir: string): Promise<RestoreSummary> {
  const existing = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing?.length) {
    throw new Error(`${dataDir} is not empty (it holds ${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ', ...' : ''}): restore into a new or empty directory`);
  }
  await mkdir(dataDir, { recursive: true });
  try {
    return await unpack(file, dataDir);
  } catch (error) {
    const written = await readdir(dataDir);
    await Promise.all(written.map((name) => rm(join(dataDir, name), { recursive: true, force: true })));
    throw error;
  }
}

async function unpack(file: string, dataDir: string): Promise<RestoreSummary> {
  const extract = tar.extract();
  const read = pipeline(createReadStream(file), createGunzip(), extract);
  let manifest: Manifest | null = null;
  let database: Buffer | null = null;
  let files = 0;
  try {
    for await (const entry of extract) {
      const name = entry.header.name;
      const data = await collect(entry);
      if (!manifest) {
        manifest = name === MANIFEST ? parseManifest(data) : null;
        if (!manifest) throw new Error(`${file} is not a Tsunagi backup (it starts with ${JSON.stringify(name)}, not ${MANIFEST})`);
      } else if (name === KEY) {
        if (!decodeKey(data.toString('utf8').trim())) throw new Error(`the backup's ${KEY} does not hold a 32-byte key`);
        await writeFile(join(dataDir, KEY), data, { mode: 0o600 });
      } else if (name === VAPID) {
        await writeFile(join(dataDir, VAPID), data, { mode: 0o600 });
      } else if (name === DATABASE) {
        database = data;
      } else if (entry.header.type === 'file' && name.startsWith(`${FILES}/`)) {
        const target = safePath(dataDir, name);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, data);
        files++;
      } else {
        throw new Error(`the backup holds an unexpected entry ${JSON.stringify(name)}`);
      }
    }
    await read;
  } catch (error) {
    extract.destroy();
    await read.catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' || (error as Error).message.includes('header')) {
      throw new Error(`${file} is not a Tsunagi backup (${(error as Error).message})`, { cause: error });
    }
    throw error;
  }
  if (!manifest || !database) throw new Error(`${file} is incomplete: it holds no database`);
  // PGlite opens the copy into the directory, as a hub would, and is closed again: the restore ends with a database
  // that opens, not a tarball left for the next start.
  const embedded = await startEmbeddedPostgres(join(dataDir, 'db'), new Blob([new Uint8Array(database)]));
  await embedded.stop();
  return { secretKey: manifest.secretKey, files };
}

/** The database of a stopped hub, copied as a running hub copies it (see `consistentDump`). */
async function dumpStopped(dbDir: string): Promise<Buffer> {
  const embedded = await startEmbeddedPostgres(dbDir);
  const pool = embeddedPool(embedded.connectionString);
  try {
    const image = await consistentDump(pool, embedded);
    return Buffer.from(await image.arrayBuffer());
  } finally {
    await pool.end();
    await embedded.waitForNoConnections();
    await embedded.stop();
  }
}

async function readKeyFile(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, KEY);
  const key = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new Error(`${path} does not exist and HUB_SECRET_KEY is not set: run the backup with the hub's HUB_SECRET_KEY`, { cause: error });
    }
    throw error;
  });
  if (!decodeKey(key.toString('utf8').trim())) throw new Error(`${path} does not hold a 32-byte key`);
  return key;
}

/** The stored files under `root`, as paths relative to it with `/`; those still being written are left out. */
async function storedFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.partial'))
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1).split(sep).join('/'))
    .sort();
}

function addEntry(pack: tar.Pack, name: string, data: Buffer): Promise<void> {
  return new Promise((resolveEntry, reject) => {
    pack.entry({ name, mode: 0o600 }, data, (error) => (error ? reject(error) : resolveEntry()));
  });
}

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    if (!Buffer.isBuffer(chunk)) throw new Error("the backup could not be read: an entry is not bytes");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseManifest(data: Buffer): Manifest | null {
  try {
    const value = JSON.parse(data.toString('utf8')) as Partial<Manifest>;
    if (value.format !== FORMAT) throw new Error(`backup format ${String(value.format)} is not ${FORMAT}`);
    if (value.secretKey !== 'included' && value.secretKey !== 'environment') return null;
    return { format: value.format, secretKey: value.secretKey };
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

/** Where an entry of the backup goes: never outside the data directory, whatever its name says. */
function safePath(dataDir: string, name: string): string {
  const normal = posix.normalize(name);
  const target = resolve(dataDir, normal);
  if (normal !== name || normal.startsWith('/') || normal.split('/').includes('..') || !target.startsWith(resolve(dataDir) + sep)) {
    throw new Error(`the backup holds an entry outside the data directory: ${JSON.stringify(name)}`);
  }
  return target;
}

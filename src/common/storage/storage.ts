import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

/**
 * Where the hub keeps files customers send (photos, PDFs). Keys are the hub's own (`<team>/<message>/<n>`),
 * never a name a customer chose. The embedded default writes under HUB_DATA_DIR; an object store can fill the
 * same port later.
 */
export interface Storage {
  put(key: string, data: Buffer): Promise<void>;
  /** null when nothing is stored under the key. */
  get(key: string): Promise<Buffer | null>;
  /** Removes the key and everything under it (`team/message` removes each of that message's files). */
  remove(prefix: string): Promise<void>;
  /** The keys stored under `prefix`, at any depth; none when nothing is. */
  list(prefix: string): Promise<string[]>;
}

const SAFE_KEY = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/;

export class LocalFileStorage implements Storage {
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = resolve(dataDir, 'files');
  }

  async put(key: string, data: Buffer): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Written aside and renamed: a reader never sees half a file, a crash never leaves one.
    const partial = `${path}.partial`;
    await writeFile(partial, data);
    await rename(partial, path);
  }

  async get(key: string): Promise<Buffer | null> {
    return readFile(this.pathOf(key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
  }

  async remove(prefix: string): Promise<void> {
    const path = this.pathOf(prefix);
    await rm(path, { recursive: true, force: true });
  }

  async list(prefix: string): Promise<string[]> {
    const path = this.pathOf(prefix);
    const entries = await readdir(path, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    // A `.partial` is a write under way (or one a crash cut short): not a key.
    return entries
      .filter((entry) => entry.isFile() && !entry.name.endsWith('.partial'))
      .map((entry) => `${prefix}/${join(entry.parentPath ?? entry.path, entry.name).slice(path.length + 1).split(sep).join('/')}`);
  }

  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!SAFE_KEY.test(key) || key.split('/').includes('..') || !path.startsWith(this.root + sep)) {
      throw new Error(`Not a storage key: ${JSON.stringify(key)}`);
    }
    return path;
  }
}

export const STORAGE = Symbol('Storage');

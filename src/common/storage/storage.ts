import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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

  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!SAFE_KEY.test(key) || key.split('/').includes('..') || !path.startsWith(this.root + sep)) {
      throw new Error(`Not a storage key: ${JSON.stringify(key)}`);
    }
    return path;
  }
}

export const STORAGE = Symbol('Storage');

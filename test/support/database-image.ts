import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migratedImage } from '../../src/common/database/database.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const migrationsDir = join(root, 'prisma', 'migrations');
const cacheDir = join(root, 'node_modules', '.cache', 'tsunagi');

/**
 * The migrated schema as an embedded-database image, made once and kept on disk under a name that hashes every
 * migration and the PGlite version: a changed migration or engine makes a new image, never a stale one.
 * Test files run in separate module registries (and workers), so the disk is what they share.
 */
export async function testDatabaseImage(): Promise<Blob> {
  const path = join(cacheDir, `schema-${await fingerprint()}.tar`);
  const cached = await readFile(path).catch(() => null);
  if (cached) return new Blob([cached]);
  const image = await migratedImage();
  await mkdir(cacheDir, { recursive: true });
  // Two workers may make it at once: each writes its own file and renames it into place.
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, Buffer.from(await image.arrayBuffer()));
  await rename(partial, path);
  return image;
}

async function fingerprint(): Promise<string> {
  const hash = createHash('sha256');
  const pglite = JSON.parse(await readFile(join(root, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string };
  hash.update(pglite.version);
  for (const name of (await readdir(migrationsDir)).sort()) {
    hash.update(name);
    const sql = await readFile(join(migrationsDir, name, 'migration.sql')).catch(() => null);
    if (sql) hash.update(sql);
  }
  return hash.digest('hex').slice(0, 16);
}

import { afterAll, describe, expect, it } from '@jest/globals';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { backupSocketPath, requestBackup, serveBackups } from './backup-socket.js';
import { restoreBackup } from './backup.js';

/** A gzipped tarball with these entries, in order, as a forged or damaged backup would hold them. */
async function tarball(path: string, entries: { name: string; data: string }[]): Promise<void> {
  const pack = tar.pack();
  const written = pipeline(pack, createGzip(), createWriteStream(path));
  for (const entry of entries) pack.entry({ name: entry.name }, entry.data);
  pack.finalize();
  await written;
}

const manifest = { name: 'tsunagi-backup.json', data: JSON.stringify({ format: 1, secretKey: 'environment' }) };

describe('backups', () => {
  const dirs: string[] = [];
  const scratch = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'backup-spec-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  // A backup file comes from wherever the operator got it: its names must not write outside the data directory.
  it.each(['files/../../escaped', '/etc/escaped', 'files/./../escaped'])('refuses the entry %s and leaves the directory empty', async (name) => {
    const dir = await scratch();
    const file = join(dir, 'forged.backup');
    await tarball(file, [manifest, { name, data: 'x' }]);
    const dataDir = join(dir, 'data');
    await expect(restoreBackup(file, dataDir)).rejects.toThrow(/outside the data directory|unexpected entry/);
    expect(await readdir(dataDir)).toEqual([]);
    expect(await readdir(dir)).toEqual(['data', 'forged.backup']);
  });

  it('refuses a tarball that is not a backup, and one without its database, naming what is wrong', async () => {
    const dir = await scratch();
    await tarball(join(dir, 'other.tar.gz'), [{ name: 'README', data: 'hello' }]);
    await expect(restoreBackup(join(dir, 'other.tar.gz'), join(dir, 'a'))).rejects.toThrow('is not a Tsunagi backup (it starts with "README"');
    await tarball(join(dir, 'partial.backup'), [manifest]);
    await expect(restoreBackup(join(dir, 'partial.backup'), join(dir, 'b'))).rejects.toThrow('is incomplete: it holds no database');
  });

  // The socket hands out the whole database, sealed credentials included: only the directory's owner may reach it.
  it('serves backups on a socket only the owner can reach, one at a time', async () => {
    const dbDir = join(await scratch(), 'db');
    let running = 0;
    let most = 0;
    const socket = await serveBackups(dbDir, async () => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
      return new Blob(['the database']);
    });
    expect(socket).not.toBeNull();
    try {
      expect((await stat(join(dbDir, 'operator'))).mode & 0o777).toBe(0o700);
      expect((await stat(backupSocketPath(dbDir))).mode & 0o777).toBe(0o600);
      const copies = await Promise.all([requestBackup(dbDir), requestBackup(dbDir)]);
      expect(copies.map((copy) => copy.toString())).toEqual(['the database', 'the database']);
      expect(most).toBe(1);
    } finally {
      await socket!.close();
    }
    await expect(stat(backupSocketPath(dbDir))).rejects.toThrow('ENOENT');
  });
});

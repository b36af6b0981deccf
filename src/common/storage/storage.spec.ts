import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFileStorage } from './storage.js';

describe(LocalFileStorage.name, () => {
  async function withStorage(run: (storage: LocalFileStorage, dir: string) => Promise<void>) {
    const dir = await mkdtemp(join(tmpdir(), 'tsunagi-storage-'));
    try {
      await run(new LocalFileStorage(dir), dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('reads back what it stored, under the data directory, and nothing for an unknown key', () =>
    withStorage(async (storage, dir) => {
      await storage.put('team/message/0', Buffer.from('photo'));
      expect((await storage.get('team/message/0'))?.toString()).toBe('photo');
      expect(await storage.get('team/message/1')).toBeNull();
      expect(await readdir(join(dir, 'files', 'team', 'message'))).toEqual(['0']);
    }));

  it('refuses keys that would leave its folder', () =>
    withStorage(async (storage) => {
      for (const key of ['../secret.key', 'team/../../x', '/etc/passwd', 'team//x', '']) {
        await expect(storage.put(key, Buffer.from('x'))).rejects.toThrow('Not a storage key');
      }
    }));

  it('lists the keys under a prefix at any depth, and none under one that holds nothing', () =>
    withStorage(async (storage) => {
      await storage.put('team/uploads/a', Buffer.from('1'));
      await storage.put('team/uploads/a.json', Buffer.from('{}'));
      await storage.put('team/message/0', Buffer.from('2'));
      await storage.put('team/message/sub/1', Buffer.from('3'));
      expect((await storage.list('team/uploads')).sort()).toEqual(['team/uploads/a', 'team/uploads/a.json']);
      expect((await storage.list('team')).sort()).toEqual(['team/message/0', 'team/message/sub/1', 'team/uploads/a', 'team/uploads/a.json']);
      expect(await storage.list('other/uploads')).toEqual([]);
    }));
});

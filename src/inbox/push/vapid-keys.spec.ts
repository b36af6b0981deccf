import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVapidKeys } from './vapid-keys.js';

describe(loadVapidKeys.name, () => {
  const dirs: string[] = [];
  const dataDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsunagi-vapid-'));
    dirs.push(dir);
    return dir;
  };

  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  // A new pair at every start would silence every browser subscribed with the old public key.
  it('generates a pair into the data directory once, and reads the same pair at the next start', async () => {
    const dir = await dataDir();
    const first = await loadVapidKeys({ vapidKeys: null, dataDir: dir });
    expect(Buffer.from(first.publicKey, 'base64url')).toHaveLength(65);
    expect(Buffer.from(first.privateKey, 'base64url')).toHaveLength(32);
    expect(await loadVapidKeys({ vapidKeys: null, dataDir: dir })).toEqual(first);
    expect((await stat(join(dir, 'vapid.json'))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(join(dir, 'vapid.json'), 'utf8'))).toEqual(first);
  });

  it('takes the operator’s pair when HUB_VAPID_* set one, writing nothing', async () => {
    const dir = await dataDir();
    const configured = { publicKey: 'configured-public', privateKey: 'configured-private' };
    expect(await loadVapidKeys({ vapidKeys: configured, dataDir: dir })).toBe(configured);
    await expect(stat(join(dir, 'vapid.json'))).rejects.toThrow(/ENOENT/);
  });
});

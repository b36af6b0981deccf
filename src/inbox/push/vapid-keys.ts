import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HubConfig } from '../../common/config/config.js';
import { generateVapidKeys } from './web-push.sender.js';
import type { VapidKeys } from './web-push.sender.js';

export const VAPID_KEYS = Symbol('VapidKeys');

/**
 * The hub's VAPID key pair: HUB_VAPID_* when set, else the pair kept in the data directory, made on the first start.
 * Browsers' subscriptions are bound to the public key: a new pair would silence every subscription, so it is kept.
 */
export async function loadVapidKeys(config: Pick<HubConfig, 'vapidKeys' | 'dataDir'>): Promise<VapidKeys> {
  if (config.vapidKeys) return config.vapidKeys;
  const path = join(config.dataDir, 'vapid.json');
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing !== null) {
    const keys = JSON.parse(existing) as Partial<VapidKeys>;
    if (typeof keys.publicKey !== 'string' || typeof keys.privateKey !== 'string') throw new Error(`${path} does not hold a VAPID key pair; restore it or remove it (every push subscription must then be made again)`);
    return { publicKey: keys.publicKey, privateKey: keys.privateKey };
  }
  await mkdir(config.dataDir, { recursive: true });
  const keys = generateVapidKeys();
  try {
    await writeFile(path, JSON.stringify(keys) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process of the same data directory wrote it first: theirs is the pair.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadVapidKeys(config);
    throw error;
  }
  return keys;
}

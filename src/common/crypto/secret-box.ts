import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeKey } from '../config/config.js';

/**
 * Seals small secrets (channel credentials) with AES-256-GCM, each bound to what it belongs to (a channel id) as
 * associated data: `v2.<iv>.<tag>.<ciphertext>`, base64url. A value copied into another channel's row does not
 * open there. `v1` values (no associated data) still open, until `reseal` turns them into `v2`.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(masterKey: Buffer) {
    // Separate keys per purpose, so the token-signing key never doubles as the encryption key.
    this.key = derive(masterKey, 'tsunagi:secret-box');
  }

  seal(plain: unknown, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(associatedData(boundTo));
    const data = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
    return ['v2', iv, cipher.getAuthTag(), data].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  /** Throws when the value was tampered with, sealed with another key, or (v2) sealed for something else. */
  open<T = unknown>(sealed: string, boundTo: string): T {
    const [version, iv, tag, data] = sealed.split('.');
    if ((version !== 'v1' && version !== 'v2') || !iv || !tag || data === undefined) throw new Error('Not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    if (version === 'v2') decipher.setAAD(associatedData(boundTo));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  }

  /** Whether a value is in the current format (bound); an older one is for `reseal`. */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith('v2.');
  }

  /** The same secret, sealed in the current format and bound to `boundTo`. */
  reseal(sealed: string, boundTo: string): string {
    return this.seal(this.open(sealed, boundTo), boundTo);
  }
}

// Prefixed so that a binding of this box never equals one another use of the same key might make.
const associatedData = (boundTo: string) => Buffer.from(`tsunagi:secret-box:v2:${boundTo}`, 'utf8');

export function derive(masterKey: Buffer, purpose: string): Buffer {
  return createHmac('sha256', masterKey).update(purpose).digest();
}

/**
 * The embedded default keeps a generated key under the data directory, so a first start needs no setup
 * and restarts can still open what was sealed before.
 */
export async function loadOrCreateKey(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, 'secret.key');
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing !== null) {
    const key = decodeKey(existing.trim());
    if (!key) throw new Error(`${path} does not hold a 32-byte key; restore it or remove the data directory`);
    return key;
  }
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32);
  await writeFile(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export const SECRET_BOX = Symbol('SecretBox');

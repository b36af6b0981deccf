import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCipheriv, randomBytes } from 'node:crypto';
import { SecretBox, derive, loadOrCreateKey } from './secret-box.js';

/** A value as the first format sealed it (no associated data), for the upgrade cases. */
function sealV1(masterKey: Buffer, plain: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(masterKey, 'tsunagi:secret-box'), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

describe('SecretBox', () => {
  const masterKey = Buffer.alloc(32, 1);
  const box = new SecretBox(masterKey);

  it('opens what it sealed, and the sealed text does not show the secret', () => {
    const sealed = box.seal({ authToken: 'twilio-secret' }, 'channel-a');
    expect(sealed).toMatch(/^v2\./);
    expect(sealed).not.toContain('twilio-secret');
    expect(box.open(sealed, 'channel-a')).toEqual({ authToken: 'twilio-secret' });
  });

  it('seals the same secret differently each time', () => {
    expect(box.seal('x', 'c')).not.toBe(box.seal('x', 'c'));
  });

  it('refuses a tampered secret and one sealed with another key', () => {
    const sealed = box.seal({ a: 1 }, 'c');
    const parts = sealed.split('.');
    const data = Buffer.from(parts[3], 'base64url');
    data[0] ^= 1;
    parts[3] = data.toString('base64url');
    expect(() => box.open(parts.join('.'), 'c')).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed, 'c')).toThrow();
    expect(() => box.open('plain text', 'c')).toThrow('Not a sealed secret');
  });

  // Credential swapping: someone who can write the database (a restored backup, an SQL injection elsewhere) copies
  // channel A's sealed credentials into channel B's row; B must not start sending with A's account.
  it('binds a value to what it was sealed for: sealed for channel A, it does not open as channel B', () => {
    const sealed = box.seal({ apiKey: 'SG.team-a' }, 'channel-a');
    expect(() => box.open(sealed, 'channel-b')).toThrow();
    expect(box.open(sealed, 'channel-a')).toEqual({ apiKey: 'SG.team-a' });
  });

  it('still opens a v1 value, tells it is not current, and re-seals it bound', () => {
    const legacy = sealV1(masterKey, { authToken: 'old' });
    expect(box.isCurrent(legacy)).toBe(false);
    expect(box.open(legacy, 'anything')).toEqual({ authToken: 'old' });
    const resealed = box.reseal(legacy, 'channel-a');
    expect(box.isCurrent(resealed)).toBe(true);
    expect(box.open(resealed, 'channel-a')).toEqual({ authToken: 'old' });
    expect(() => box.open(resealed, 'channel-b')).toThrow();
  });
});

describe('loadOrCreateKey', () => {
  it('generates a key once and reads the same key afterwards', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsunagi-key-'));
    try {
      const first = await loadOrCreateKey(join(dir, 'data'));
      expect(first).toHaveLength(32);
      expect(await loadOrCreateKey(join(dir, 'data'))).toEqual(first);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a damaged key file instead of replacing it (that would lose every sealed credential)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsunagi-key-'));
    try {
      await writeFile(join(dir, 'secret.key'), 'not a key\n');
      await expect(loadOrCreateKey(dir)).rejects.toThrow(/does not hold a 32-byte key/);
      expect(await readFile(join(dir, 'secret.key'), 'utf8')).toBe('not a key\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox, loadOrCreateKey } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.alloc(32, 1));

  it('opens what it sealed, and the sealed text does not show the secret', () => {
    const sealed = box.seal({ authToken: 'twilio-secret' });
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('twilio-secret');
    expect(box.open(sealed)).toEqual({ authToken: 'twilio-secret' });
  });

  it('seals the same secret differently each time', () => {
    expect(box.seal('x')).not.toBe(box.seal('x'));
  });

  it('refuses a tampered secret and one sealed with another key', () => {
    const sealed = box.seal({ a: 1 });
    const parts = sealed.split('.');
    const data = Buffer.from(parts[3], 'base64url');
    data[0] ^= 1;
    parts[3] = data.toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed)).toThrow();
    expect(() => box.open('plain text')).toThrow('Not a sealed secret');
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

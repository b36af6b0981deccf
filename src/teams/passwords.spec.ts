import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../common/errors/domain-error.js';
import { loadConfig } from '../common/config/config.js';
import { PasswordGate, Passwords } from './passwords.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe(PasswordGate.name, () => {
  // Guards a burst of logins starving the process: beyond the running and queued places, callers are refused at once.
  it('runs at most `concurrency` at once, queues a few, and refuses the rest with 429 busy', async () => {
    const gate = new PasswordGate(2, 1);
    const release = [deferred(), deferred(), deferred()];
    let active = 0;
    let peak = 0;
    const work = (i: number) => async () => {
      active++;
      peak = Math.max(peak, active);
      await release[i].promise;
      active--;
      return i;
    };
    const runs = [gate.run(work(0)), gate.run(work(1)), gate.run(work(2))];
    const refused = await gate.run(work(0)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ kind: 'too_many_requests', code: 'busy', retryAfterSeconds: 1 });
    release.forEach((d) => d.resolve());
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(peak).toBe(2);
  });

  it('frees its place when the work fails', async () => {
    const gate = new PasswordGate(1, 0);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run(async () => 'ok')).resolves.toBe('ok');
  });
});

describe(Passwords.name, () => {
  const parameters = (hash: string) => hash.split('$')[3];

  // Production keeps argon2's defaults; tests and small machines may go down to OWASP's floor, never below.
  it('hashes with 64 MiB, 3 passes and 4 lanes by default, and OWASP\'s 2 passes and 1 lane below that', async () => {
    const defaults = loadConfig({ HUB_SECRET_KEY: Buffer.alloc(32, 1).toString('base64') }).passwordMemoryMib;
    expect(parameters(await new Passwords(defaults).hash('correct horse'))).toBe('m=65536,p=4,t=3');
    expect(parameters(await new Passwords(19).hash('correct horse'))).toBe('m=19456,p=1,t=2');
    expect(() => loadConfig({ HUB_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'), HUB_PASSWORD_MEMORY_MIB: '18' })).toThrow(/HUB_PASSWORD_MEMORY_MIB.*at least 19/);
  });

  it('verifies hashes made at another setting, and keeps one timing-equalizer hash', async () => {
    const { verifyPassword } = await import('./passwords.js');
    const old = await new Passwords(64).hash('correct horse');
    expect(await verifyPassword(old, 'correct horse')).toBe(true);
    const passwords = new Passwords(19);
    expect(await passwords.dummyHash()).toBe(await passwords.dummyHash());
    expect(parameters(await passwords.dummyHash())).toBe('m=19456,p=1,t=2');
  });

  // Lowering (or raising) the setting converges stored hashes at sign-in, so that a known account and the equalizer
  // for an unknown one cost the same again.
  it('says a hash made at another setting needs hashing again, and one made at this setting does not', async () => {
    const passwords = new Passwords(19);
    expect(passwords.needsRehash(await new Passwords(64).hash('correct horse'))).toBe(true);
    expect(passwords.needsRehash(await passwords.hash('correct horse'))).toBe(false);
  });
});

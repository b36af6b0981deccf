import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../common/errors/domain-error.js';
import { PasswordGate } from './passwords.js';

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

import argon2 from 'argon2';
import type { HashOptions } from 'argon2';
import { tooManyRequests } from '../common/errors/domain-error.js';

/**
 * Hashes passwords with argon2id at the memory the operator set (`HUB_PASSWORD_MEMORY_MIB`). 64 MiB keeps
 * argon2's own defaults (3 passes, 4 lanes); less, down to OWASP's 19 MiB, takes OWASP's 2 passes and 1 lane.
 * A hash records its own parameters, so changing the setting leaves older hashes verifiable.
 */
export class Passwords {
  private readonly options: HashOptions;
  private dummy: Promise<string> | null = null;

  constructor(memoryMib = 64) {
    const memoryCost = memoryMib * 1024;
    this.options = memoryMib < 64 ? { type: argon2.argon2id, memoryCost, timeCost: 2, parallelism: 1 } : { type: argon2.argon2id, memoryCost, timeCost: 3, parallelism: 4 };
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  /** Whether `hash` was made with other parameters than the current ones (sign-in then hashes the password again). */
  needsRehash(hash: string): boolean {
    const { memoryCost, timeCost, parallelism } = this.options;
    return argon2.needsRehash(hash, { memoryCost, timeCost, parallelism });
  }

  /** A hash to verify against for an unknown email, so that it takes as long as a wrong password. */
  dummyHash(): Promise<string> {
    // A failed attempt (out of memory, say) is not kept: the next sign-in tries again.
    this.dummy ??= this.hash('tsunagi-timing-equalizer').catch((error: unknown) => {
      this.dummy = null;
      throw error;
    });
    return this.dummy;
  }
}

export const PASSWORDS = Symbol('Passwords');

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/**
 * Bounds the argon2 work that unauthenticated requests can start (sign-in, sign-up, reset). Each hash takes 64 MiB
 * and tens of milliseconds of a core; unbounded, a burst of logins fills libuv's four threads and the memory, and
 * every other request waits. A few run at once, a short queue waits, anything beyond is told to come back (429 `busy`).
 */
export class PasswordGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency = 2,
    private readonly queueLength = 6,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queueLength) {
        throw tooManyRequests('busy', 'The server is busy checking other passwords; try again in a moment.', 1_000);
      }
      // A finishing run hands its place straight to the first in line, so `running` never drops and rises again.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

export const PASSWORD_GATE = Symbol('PasswordGate');

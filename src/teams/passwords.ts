import argon2 from 'argon2';
import { tooManyRequests } from '../common/errors/domain-error.js';

export const hashPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id });

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** Verifying against this keeps an unknown email as slow as a wrong password, so timing tells nothing. */
export const DUMMY_HASH = await hashPassword('tsunagi-timing-equalizer');

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

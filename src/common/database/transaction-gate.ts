import type { ErrorCode } from '../errors/error-codes.js';
import { unavailable } from '../errors/domain-error.js';
import { ConnectionWaitTimeout } from './direct-sql.js';

export interface TransactionGateLimits {
  /** Transactions through the gate at once: what the pool can give them and still serve the rest of the hub. */
  permits: number;
  /** Callers waiting beyond those; one more is refused at once. */
  maxQueued: number;
  /** How long a caller waits for its turn, and then for a connection, before it is refused. */
  maxWaitMs: number;
}

/**
 * A bounded queue in front of a kind of transaction (the ingest's): under a burst, callers wait their turn here
 * instead of in the driver's pool, where Prisma gives up after `maxWait` with an error that reads as a 500. A
 * caller that finds the queue full, or waits longer than `maxWaitMs`, is refused with 503 `ingest_busy` and
 * `Retry-After`: nothing was written, and a provider that delivers again is deduplicated by its event key.
 */
export class TransactionGate {
  private running = 0;
  private readonly queue: { admit: () => void; timer: NodeJS.Timeout }[] = [];

  constructor(
    readonly limits: TransactionGateLimits,
    private readonly code: ErrorCode = 'ingest_busy',
  ) {}

  /** Runs `work` in its turn; it is handed what remains of the wait, for the connection it asks the pool for. */
  async run<T>(work: (maxWaitMs: number) => Promise<T>): Promise<T> {
    const start = performance.now();
    await this.enter();
    try {
      const left = Math.max(1, this.limits.maxWaitMs - (performance.now() - start));
      try {
        return await work(left);
      } catch (error) {
        if (isTransactionStartTimeout(error)) throw this.refusal();
        throw error;
      }
    } finally {
      this.leave();
    }
  }

  private enter(): Promise<void> {
    if (this.running < this.limits.permits && this.queue.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    if (this.queue.length >= this.limits.maxQueued) return Promise.reject(this.refusal());
    return new Promise((resolve, reject) => {
      const entry = {
        admit: () => {
          clearTimeout(entry.timer);
          resolve();
        },
        // Wall time, not the hub's clock: this bounds a real wait for a real connection.
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(entry), 1);
          reject(this.refusal());
        }, this.limits.maxWaitMs),
      };
      this.queue.push(entry);
    });
  }

  private leave(): void {
    const next = this.queue.shift();
    // The permit passes straight to the next in line, so nobody overtakes the queue.
    if (next) next.admit();
    else this.running--;
  }

  private refusal() {
    return unavailable(this.code, 'The hub is storing a burst of messages; send this again in a moment.', this.limits.maxWaitMs);
  }
}

/** Prisma gave up waiting for a connection to start the transaction on (its `maxWait`), or `DirectSql` did. */
export function isTransactionStartTimeout(error: unknown): boolean {
  if (error instanceof ConnectionWaitTimeout) return true;
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2028';
}

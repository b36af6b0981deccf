import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { tooManyRequests } from '../errors/domain-error.js';

/** A named budget: `points` uses per `perSeconds`, counted per key (an address, an account, a visitor). */
export interface RateLimit {
  /** Stable and unique per purpose (`login.account`, `widget.session.address`); part of the storage key. */
  name: string;
  points: number;
  perSeconds: number;
  /** Said in the 429's message: what was limited ("password reset requests for this address"). */
  what: string;
}

/**
 * The hub's one way of counting abuse. With Redis every hub process counts against the same budget; without it
 * (the embedded default, one process) the budget lives in memory. Counting is atomic in both, so 300 parallel
 * requests cannot all slip under a limit of 5.
 */
export interface RateLimiter {
  /** Takes `points` (1) from the key's budget, or throws 429 `rate_limited` with `retryAfterSeconds`. */
  consume(limit: RateLimit, key: string, points?: number): Promise<void>;
  /** Gives points back: a login failure reserved before the password check is released when it was right. */
  release(limit: RateLimit, key: string, points?: number): Promise<void>;
  /** Points used in the current window (0 when none), without taking any. */
  used(limit: RateLimit, key: string): Promise<number>;
  /** Forgets the key's count (a successful sign-in clears the account's growing delay). */
  reset(limit: RateLimit, key: string): Promise<void>;
}

export const RATE_LIMITER = Symbol('RateLimiter');

export class FlexibleRateLimiter implements RateLimiter {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  /** `redis`: the shared store (prefix `<prefix>:rl:`); null keeps the counts in this process. */
  constructor(private readonly store: { redis: Redis; prefix: string } | null) {}

  async consume(limit: RateLimit, key: string, points = 1): Promise<void> {
    try {
      await this.limiter(limit).consume(key, points);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw tooManyRequests('rate_limited', `Too many ${limit.what}; try again in ${Math.ceil(error.msBeforeNext / 1000)} seconds.`, error.msBeforeNext);
    }
  }

  async release(limit: RateLimit, key: string, points = 1): Promise<void> {
    await this.limiter(limit).reward(key, points);
  }

  async used(limit: RateLimit, key: string): Promise<number> {
    const res = await this.limiter(limit).get(key);
    return Math.max(0, res?.consumedPoints ?? 0);
  }

  async reset(limit: RateLimit, key: string): Promise<void> {
    await this.limiter(limit).delete(key);
  }

  private limiter(limit: RateLimit): RateLimiterAbstract {
    const id = `${limit.name}:${limit.points}:${limit.perSeconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const options = { keyPrefix: limit.name, points: limit.points, duration: limit.perSeconds };
      limiter = this.store
        ? new RateLimiterRedis({
            ...options,
            storeClient: this.store.redis,
            keyPrefix: `${this.store.prefix}:rl:${id}`,
            // Redis down: each process goes on counting on its own rather than refusing everyone or letting everyone in.
            insuranceLimiter: new RateLimiterMemory(options),
          })
        : new RateLimiterMemory(options);
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

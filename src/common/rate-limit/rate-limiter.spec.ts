import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../errors/domain-error.js';
import { FlexibleRateLimiter } from './rate-limiter.js';
import type { RateLimit } from './rate-limiter.js';

const limit: RateLimit = { name: 'spec.guesses', points: 5, perSeconds: 900, what: 'guesses' };

describe(FlexibleRateLimiter.name, () => {
  it('lets exactly the budget through when 300 requests arrive at once', async () => {
    const limiter = new FlexibleRateLimiter(null);
    const results = await Promise.allSettled(Array.from({ length: 300 }, () => limiter.consume(limit, 'a@example.com')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const refusal = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason as DomainError;
    expect(refusal).toMatchObject({ kind: 'too_many_requests', code: 'rate_limited' });
    expect(refusal.retryAfterSeconds).toBeGreaterThan(890);
    expect(refusal.retryAfterSeconds).toBeLessThanOrEqual(900);
  });

  it('counts each key apart and gives released points back', async () => {
    const limiter = new FlexibleRateLimiter(null);
    for (let i = 0; i < 5; i += 1) await limiter.consume(limit, 'one');
    await expect(limiter.consume(limit, 'one')).rejects.toBeInstanceOf(DomainError);
    await expect(limiter.consume(limit, 'two')).resolves.toBeUndefined();
    await limiter.release(limit, 'one', 2);
    expect(await limiter.used(limit, 'one')).toBe(4);
    await limiter.reset(limit, 'one');
    expect(await limiter.used(limit, 'one')).toBe(0);
  });
});

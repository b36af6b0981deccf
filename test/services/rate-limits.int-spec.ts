import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { FlexibleRateLimiter } from '../../src/common/rate-limit/rate-limiter.js';

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error('The service suite needs REDIS_URL: run it with `npm run test:services`.');

// Two hub processes behind a balancer: a guesser who alternates between them must still meet one budget.
describe('FlexibleRateLimiter on Redis', () => {
  const clients = [new Redis(redisUrl), new Redis(redisUrl)];
  afterAll(() => clients.forEach((client) => client.disconnect()));

  it('shares one budget between processes, even for 300 requests at once', async () => {
    const prefix = `tsunagi-test-${randomBytes(4).toString('hex')}`;
    const [one, two] = clients.map((redis) => new FlexibleRateLimiter({ redis, prefix }));
    const limit = { name: 'services.guesses', points: 5, perSeconds: 60, what: 'guesses' };
    const results = await Promise.allSettled(Array.from({ length: 300 }, (_, i) => (i % 2 ? one : two).consume(limit, 'code-1')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(await two.used(limit, 'code-1')).toBeGreaterThanOrEqual(5);
    await one.release(limit, 'code-1', 300);
    await expect(two.consume(limit, 'code-1')).resolves.toBeUndefined();
  });
});

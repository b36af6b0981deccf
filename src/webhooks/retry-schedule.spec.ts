import { describe, expect, it } from '@jest/globals';
import { RETRY_WINDOW_MS, retryDelayMs } from './retry-schedule.js';

describe('retryDelayMs', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h after each failure', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(retryDelayMs)).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, 36_000_000]);
  });

  it('gives up once the next attempt would fall beyond 3 days after the first', () => {
    let at = 0;
    let failures = 0;
    for (;;) {
      const wait = retryDelayMs(++failures);
      if (wait === null) break;
      at += wait;
    }
    // 12 attempts: the first, and 11 retries, the last 67 h 35 min 5 s after the first.
    expect(failures).toBe(12);
    expect(at).toBe(67 * 3_600_000 + 35 * 60_000 + 5_000);
    expect(at).toBeLessThanOrEqual(RETRY_WINDOW_MS);
    expect(at + 36_000_000).toBeGreaterThan(RETRY_WINDOW_MS);
  });

  it('sends at once when nothing failed yet (a replay, an endpoint switched on again)', () => {
    expect(retryDelayMs(0)).toBe(0);
  });
});

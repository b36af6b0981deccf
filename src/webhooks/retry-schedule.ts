const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * The waits after each failed attempt, the Standard Webhooks reference schedule: 5 s, 5 min, 30 min, 2 h, 5 h, then
 * every 10 h. A receiver that is down for an afternoon gets its deliveries that evening, and one that is gone for good
 * is not called every few seconds for days.
 */
const WAITS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR];

/** How long a delivery is retried, counted from its first attempt. */
export const RETRY_WINDOW_MS = 3 * 24 * HOUR;

/**
 * The wait after the `failures`-th failed attempt in a row (1-based), or null when the next attempt would fall
 * beyond the 3-day window: the delivery has failed for good. 12 attempts in all, the last at about 67.5 hours.
 */
export function retryDelayMs(failures: number): number | null {
  if (failures < 1) return 0;
  const wait = WAITS[Math.min(failures, WAITS.length) - 1];
  let elapsed = 0;
  for (let n = 1; n <= failures; n++) elapsed += WAITS[Math.min(n, WAITS.length) - 1];
  return elapsed > RETRY_WINDOW_MS ? null : wait;
}

/** An endpoint whose every attempt failed for this long is switched off (and its administrators told). */
export const DISABLE_AFTER_FAILING_MS = 24 * HOUR;

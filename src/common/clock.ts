/**
 * Time, injectable so tests of timers and windows do not sleep: every "now" in the hub is read here, and the
 * in-process job queue's timers run on the same clock, so a test that moves it fires what has come due.
 */
export interface Clock {
  now(): Date;
  /**
   * Calls `fire` once, when this clock reaches `at` (soon after, if it already has). The timer never keeps the
   * process alive. Returns what cancels it.
   */
  setTimer(at: Date, fire: () => void): () => void;
}

export const CLOCK = Symbol('Clock');

/** setTimeout takes at most 2^31 - 1 ms (about 24.8 days) and fires at once beyond that. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  // The one reading of the wall clock that the rest of the hub goes through.
  now: () => new Date(),
  setTimer(at, fire) {
    let timer: NodeJS.Timeout;
    const arm = () => {
      const wait = at.getTime() - systemClock.now().getTime();
      timer = setTimeout(wait > MAX_TIMEOUT_MS ? arm : fire, Math.min(Math.max(wait, 0), MAX_TIMEOUT_MS));
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  },
};

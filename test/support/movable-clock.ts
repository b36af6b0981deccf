import type { Clock } from '../../src/common/clock.js';

interface Timer {
  at: number;
  fire: () => void;
}

/**
 * A clock the test sets. It stands still between moves; moving it forward fires the timers that have come due
 * (offer deadlines, presence grace, slow replies, retries on the in-process job queue), in the order of their
 * times, without real waiting. Databases and sockets keep real time.
 */
export class MovableClock implements Clock {
  private readonly timers = new Set<Timer>();

  constructor(private current: Date) {}

  now(): Date {
    return new Date(this.current);
  }

  set(at: Date): void {
    this.current = new Date(at);
    const due = [...this.timers].filter((timer) => timer.at <= this.current.getTime()).sort((a, b) => a.at - b.at);
    for (const timer of due) {
      this.timers.delete(timer);
      timer.fire();
    }
  }

  advance(ms: number): void {
    this.set(new Date(this.current.getTime() + ms));
  }

  /**
   * The times of the timers set and not yet fired, earliest first: a test moves the clock once the timer it means to
   * fire is set (the hub sets it after its own reads and writes), or it would only be set after the move.
   */
  pending(): Date[] {
    return [...this.timers].map((timer) => new Date(timer.at)).sort((a, b) => a.getTime() - b.getTime());
  }

  setTimer(at: Date, fire: () => void): () => void {
    const timer: Timer = { at: at.getTime(), fire };
    // Already due: fired on the next turn, as a zero-delay setTimeout would, never inside the caller.
    if (timer.at <= this.current.getTime()) {
      const immediate = setImmediate(fire);
      return () => clearImmediate(immediate);
    }
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }
}

/** An instant given as Tokyo wall time, `2026-12-04T16:59`. */
export const tokyo = (local: string) => new Date(`${local}:00+09:00`);

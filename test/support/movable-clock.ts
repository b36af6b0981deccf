import type { Clock } from '../../src/common/clock.js';

/** A clock the test sets: business hours and offer deadlines read it; databases and sockets keep real time. */
export class MovableClock implements Clock {
  constructor(private current: Date) {}

  now(): Date {
    return new Date(this.current);
  }

  set(at: Date): void {
    this.current = new Date(at);
  }
}

/** An instant given as Tokyo wall time, `2026-12-04T16:59`. */
export const tokyo = (local: string) => new Date(`${local}:00+09:00`);

import type { Db } from '../common/database/database.js';
import { tooManyRequests } from '../common/errors/domain-error.js';

/** Failures in a row an account may have before it has to wait. */
const FREE_FAILURES = 5;
/** The first wait, doubled with each further failure... */
const FIRST_DELAY_SECONDS = 30;
/** ...up to this: an owner who forgot the password is slowed, never locked out for long. */
const MAX_DELAY_SECONDS = 15 * 60;

/**
 * The per-account half of sign-in throttling, keyed by the normalized email whether an account has it or not (so a
 * 429 tells nothing about accounts). A try first claims a failure (one conditional upsert that settles races in the
 * database: 300 parallel guesses get the free places and no more), and is given back when the password was right.
 * Counts older than a day start again from zero.
 */
export class LoginThrottles {
  constructor(private readonly db: Db) {}

  /**
   * Claims a failure; null when the account may try now, else the milliseconds until it may. Times are
   * clock_timestamp(), not now(): now() is the transaction's start, and a try that started first but waited on the
   * row's lock would compare against a next_try_at written by one that started later, and be refused for nothing.
   */
  async claim(email: string): Promise<number | null> {
    const claimed = await this.db.$queryRaw<{ failures: number }[]>`
      INSERT INTO login_throttles AS t (email, failures, next_try_at, updated_at)
      VALUES (${email}, 1, clock_timestamp(), clock_timestamp())
      ON CONFLICT (email) DO UPDATE
         SET failures = CASE WHEN t.updated_at < clock_timestamp() - interval '1 day' THEN 1 ELSE t.failures + 1 END,
             next_try_at = clock_timestamp() + make_interval(secs => CASE
               WHEN t.updated_at >= clock_timestamp() - interval '1 day' AND t.failures + 1 >= ${FREE_FAILURES}::int
               THEN LEAST(${MAX_DELAY_SECONDS}::int, ${FIRST_DELAY_SECONDS}::int * power(2, t.failures + 1 - ${FREE_FAILURES}::int))
               ELSE 0 END),
             updated_at = clock_timestamp()
       WHERE t.next_try_at <= clock_timestamp() OR t.updated_at < clock_timestamp() - interval '1 day'
   RETURNING t.failures`;
    if (claimed.length > 0) return null;
    const [row] = await this.db.$queryRaw<{ waitMs: number }[]>`
      SELECT GREATEST(0, EXTRACT(EPOCH FROM (next_try_at - clock_timestamp())) * 1000)::float8 AS "waitMs" FROM login_throttles WHERE email = ${email}`;
    return Math.max(1_000, row?.waitMs ?? 0);
  }

  /** The password was never checked (the server was busy): the claimed failure is given back. */
  async giveBack(email: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE login_throttles SET failures = GREATEST(failures - 1, 0), next_try_at = LEAST(next_try_at, clock_timestamp()) WHERE email = ${email}`;
  }

  /** The password was right: the failures in a row end here. */
  async clear(email: string): Promise<void> {
    await this.db.loginThrottle.deleteMany({ where: { email } });
  }
}

/** The 429 of an account that has to wait: the same wherever its password is checked (sign-in, password change). */
export const tooManyAttempts = (waitMs: number) =>
  tooManyRequests('too_many_attempts', `Too many failed sign-ins for this account; try again in ${Math.ceil(waitMs / 1000)} seconds.`, waitMs);

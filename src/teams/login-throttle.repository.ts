import type { Db } from '../common/database/database.js';

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

  /** Claims a failure; null when the account may try now, else the milliseconds until it may. */
  async claim(email: string): Promise<number | null> {
    const claimed = await this.db.$queryRaw<{ failures: number }[]>`
      INSERT INTO login_throttles AS t (email, failures, next_try_at, updated_at)
      VALUES (${email}, 1, now(), now())
      ON CONFLICT (email) DO UPDATE
         SET failures = CASE WHEN t.updated_at < now() - interval '1 day' THEN 1 ELSE t.failures + 1 END,
             next_try_at = now() + make_interval(secs => CASE
               WHEN t.updated_at >= now() - interval '1 day' AND t.failures + 1 >= ${FREE_FAILURES}::int
               THEN LEAST(${MAX_DELAY_SECONDS}::int, ${FIRST_DELAY_SECONDS}::int * power(2, t.failures + 1 - ${FREE_FAILURES}::int))
               ELSE 0 END),
             updated_at = now()
       WHERE t.next_try_at <= now() OR t.updated_at < now() - interval '1 day'
   RETURNING t.failures`;
    if (claimed.length > 0) return null;
    const [row] = await this.db.$queryRaw<{ waitMs: number }[]>`
      SELECT GREATEST(0, EXTRACT(EPOCH FROM (next_try_at - now())) * 1000)::float8 AS "waitMs" FROM login_throttles WHERE email = ${email}`;
    return Math.max(1_000, row?.waitMs ?? 0);
  }

  /** The password was never checked (the server was busy): the claimed failure is given back. */
  async giveBack(email: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE login_throttles SET failures = GREATEST(failures - 1, 0), next_try_at = LEAST(next_try_at, now()) WHERE email = ${email}`;
  }

  /** The password was right: the failures in a row end here. */
  async clear(email: string): Promise<void> {
    await this.db.loginThrottle.deleteMany({ where: { email } });
  }
}

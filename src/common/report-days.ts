import { DateTime } from 'luxon';
import { DomainError } from './errors/domain-error.js';

/** A report covers at most a year of days. */
const REPORT_MAX_DAYS = 366;

/**
 * The days a per-day report covers, in the team's time zone: `from` to `to` (ISO dates, both included), by default the
 * 30 days up to today; `period` is the same span as instants, for the query. A span over a year is refused, naming `from`.
 */
export function reportDays(zone: string, query: { from?: string; to?: string }, now: Date): { from: DateTime; to: DateTime; period: { gte: Date; lt: Date } } {
  const to = query.to ? DateTime.fromISO(query.to, { zone }) : DateTime.fromJSDate(now, { zone }).startOf('day');
  const from = query.from ? DateTime.fromISO(query.from, { zone }) : to.minus({ days: 29 });
  if (to.diff(from, 'days').days >= REPORT_MAX_DAYS) {
    throw new DomainError('invalid', 'invalid_request', 'The request is not valid.', [{ field: 'from', message: `must be at most ${REPORT_MAX_DAYS} days before to` }]);
  }
  return { from, to, period: { gte: from.toJSDate(), lt: to.plus({ days: 1 }).toJSDate() } };
}

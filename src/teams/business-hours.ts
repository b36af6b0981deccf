import holidayJp from '@holiday-jp/holiday_jp';
import { DateTime } from 'luxon';
import { z } from 'zod';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Weekday = (typeof WEEKDAYS)[number];

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time such as 10:30 (24:00 for midnight)');
const calendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-12-31');

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

const interval = z
  .strictObject({ open: clockTime, close: clockTime })
  .refine((i) => minutesOf(i.close) > minutesOf(i.open), { message: 'close must be later than open on the same day' });

/**
 * National holiday calendars a team can close on, read at run time from a maintained package rather than from a
 * list someone types in: a calendar that changes by law (a moved holiday, a new one) reaches the hub with the
 * package's update. Keyed by ISO country code; each answers for a local date (YYYY-MM-DD).
 */
const NATIONAL_CALENDARS = ['JP'] as const;
const NATIONAL_HOLIDAYS: Record<(typeof NATIONAL_CALENDARS)[number], (date: string) => boolean> = {
  // The Cabinet Office's list, as @holiday-jp/holiday_jp publishes it (substitute and citizens' holidays included).
  // Its table keyed by date, not its isHoliday(), which lists every key on each call: finding the next opening asks
  // about hundreds of days.
  JP: (date) => Object.hasOwn(holidayJp.holidays, date),
};

/**
 * A team's opening hours in its own time zone: weekly intervals (a lunch break is the gap between two), whole
 * days closed (holidays, and a country's national holidays), and dates with hours of their own (exceptions, empty
 * for closed). An exception wins over a national holiday (a shop open on a holiday says so by date); the team's own
 * holidays win over both.
 */
export const businessHoursSchema = z.strictObject({
  weekly: z.array(z.strictObject({ days: z.array(z.enum(WEEKDAYS)).min(1), open: clockTime, close: clockTime })).max(50)
    .refine((rows) => rows.every((row) => minutesOf(row.close) > minutesOf(row.open)), { message: 'each interval must close later than it opens' }),
  holidays: z.array(calendarDate).max(500).default([]),
  exceptions: z.array(z.strictObject({ date: calendarDate, intervals: z.array(interval).max(10) })).max(500).default([]),
  /** Closed on this country's national holidays (`JP`); null: national holidays are ordinary days. */
  nationalHolidays: z.enum(NATIONAL_CALENDARS).nullable().default(null),
  /** Members are switched offline at closing and back online at opening, when they were switched off by it. */
  switchMembers: z.boolean().default(true),
});

export type BusinessHours = z.output<typeof businessHoursSchema>;

/** How far ahead the next opening is looked for: a team closed for longer than a year has no next opening. */
const HORIZON_DAYS = 400;

/** The opening intervals of one local day, as instants. */
function intervalsOn(hours: BusinessHours, day: DateTime): Array<{ start: DateTime; end: DateTime }> {
  const date = day.toISODate()!;
  if (hours.holidays.includes(date)) return [];
  const exception = hours.exceptions.find((e) => e.date === date);
  if (!exception && hours.nationalHolidays && NATIONAL_HOLIDAYS[hours.nationalHolidays](date)) return [];
  const weekday: Weekday = WEEKDAYS[day.weekday - 1];
  const rows = exception ? exception.intervals : hours.weekly.filter((row) => row.days.includes(weekday));
  return rows.map((row) => ({ start: at(day, row.open), end: at(day, row.close) }));
}

function at(day: DateTime, time: string): DateTime {
  if (time === '24:00') return day.plus({ days: 1 }).startOf('day');
  return day.set({ hour: Number(time.slice(0, 2)), minute: Number(time.slice(3, 5)), second: 0, millisecond: 0 });
}

/** A team without business hours is always open. */
export function isOpen(hours: BusinessHours | null, timeZone: string, now: Date): boolean {
  if (!hours) return true;
  const instant = DateTime.fromJSDate(now, { zone: timeZone });
  // Yesterday too: an interval may run to midnight.
  for (const day of [instant.minus({ days: 1 }).startOf('day'), instant.startOf('day')]) {
    if (intervalsOn(hours, day).some((i) => i.start <= instant && instant < i.end)) return true;
  }
  return false;
}

/** The next instant after `now` at which the team opens or closes; null when there is none (always open). */
export function nextChange(hours: BusinessHours | null, timeZone: string, now: Date): Date | null {
  return nextMatching(hours, timeZone, now, () => true);
}

/** When a closed team opens next (null: always open, or no opening within a year). */
export function nextOpening(hours: BusinessHours | null, timeZone: string, now: Date): Date | null {
  if (!hours) return null;
  return nextMatching(hours, timeZone, now, (at) => isOpen(hours, timeZone, at) && !isOpen(hours, timeZone, new Date(at.getTime() - 1)));
}

function nextMatching(hours: BusinessHours | null, timeZone: string, now: Date, keep: (at: Date) => boolean): Date | null {
  if (!hours) return null;
  const instant = DateTime.fromJSDate(now, { zone: timeZone });
  const wasOpen = (at: Date) => isOpen(hours, timeZone, at);
  for (let offset = 0; offset < HORIZON_DAYS; offset++) {
    const day = instant.startOf('day').plus({ days: offset });
    const edges = intervalsOn(hours, day)
      .flatMap((i) => [i.start, i.end])
      .filter((edge) => edge > instant)
      .map((edge) => edge.toJSDate())
      .sort((a, b) => a.getTime() - b.getTime());
    for (const edge of edges) {
      // An edge where two intervals touch (13:00 close, 13:00 open) changes nothing.
      if (wasOpen(edge) === wasOpen(new Date(edge.getTime() - 1))) continue;
      if (keep(edge)) return edge;
    }
  }
  return null;
}

/**
 * What the hours say at `now`: open or not, until when it stays so (the closing while open), and the next opening
 * after that ("open now until 13:00; next: 14:00"). Always open (no hours): open, with no end and no next.
 */
export function openingPreview(hours: BusinessHours | null, timeZone: string, now: Date): { openNow: boolean; until: Date | null; next: Date | null } {
  const openNow = isOpen(hours, timeZone, now);
  if (!hours) return { openNow, until: null, next: null };
  const until = openNow ? nextChange(hours, timeZone, now) : null;
  return { openNow, until, next: nextOpening(hours, timeZone, until ?? now) };
}

/** "12月3日(木) 10:30": when the team opens, in its time zone, for a customer or an agent to read. */
export function describeOpening(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).setLocale('ja').toFormat('M月d日(ccc) HH:mm');
}

/** Milliseconds between two instants during which the team was open (all of them when it has no hours). */
export function openMillisBetween(hours: BusinessHours | null, timeZone: string, start: Date, end: Date): number {
  if (!hours) return Math.max(0, end.getTime() - start.getTime());
  let total = 0;
  let at = start;
  while (at < end) {
    const change = nextChange(hours, timeZone, at);
    const until = change && change < end ? change : end;
    if (isOpen(hours, timeZone, at)) total += until.getTime() - at.getTime();
    at = until;
  }
  return total;
}

import type { BusinessHours } from './useBusinessHours';

/** The days of the week in the order the editor shows them (the hub's names). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface Interval {
  open: string;
  close: string;
}

/**
 * Business hours as the editor holds them: a list of intervals per weekday (several for a lunch break), closed dates,
 * and dates with hours of their own. The hub's form lists weekly intervals with the days they apply to; the editor
 * thinks per day, and `hoursOf` writes one weekly entry per day and interval so a refusal's index names one row.
 */
export interface HoursDraft {
  /** No business hours at all: the team is always open (the hub's `businessHours: null`). */
  alwaysOpen: boolean;
  week: Record<Weekday, Interval[]>;
  holidays: string[];
  exceptions: Record<string, Interval[]>;
  nationalHolidays: boolean;
  switchMembers: boolean;
  timeZone: string;
}

/** What a team that has never set hours starts from when it turns them on: weekdays 09:00–18:00. */
const STARTING_WEEK: Record<Weekday, Interval[]> = {
  mon: [{ open: '09:00', close: '18:00' }],
  tue: [{ open: '09:00', close: '18:00' }],
  wed: [{ open: '09:00', close: '18:00' }],
  thu: [{ open: '09:00', close: '18:00' }],
  fri: [{ open: '09:00', close: '18:00' }],
  sat: [],
  sun: [],
};

export function draftOf(hours: BusinessHours | null, timeZone: string): HoursDraft {
  if (!hours) return { alwaysOpen: true, week: STARTING_WEEK, holidays: [], exceptions: {}, nationalHolidays: false, switchMembers: true, timeZone };
  const week = Object.fromEntries(WEEKDAYS.map((day) => [day, [] as Interval[]])) as Record<Weekday, Interval[]>;
  for (const row of hours.weekly) for (const day of row.days) week[day].push({ open: row.open, close: row.close });
  for (const day of WEEKDAYS) week[day].sort((a, b) => a.open.localeCompare(b.open));
  return {
    alwaysOpen: false,
    week,
    holidays: [...(hours.holidays ?? [])].sort(),
    exceptions: Object.fromEntries((hours.exceptions ?? []).map((e) => [e.date, e.intervals.map((i) => ({ ...i }))])),
    nationalHolidays: hours.nationalHolidays === 'JP',
    switchMembers: hours.switchMembers ?? true,
    timeZone,
  };
}

/** The hours the hub is sent, and for each weekly entry the weekday row and interval it came from. */
export function hoursOf(draft: HoursDraft): { hours: BusinessHours | null; rows: Array<{ day: Weekday; index: number }> } {
  if (draft.alwaysOpen) return { hours: null, rows: [] };
  const rows = WEEKDAYS.flatMap((day) => draft.week[day].map((_, index) => ({ day, index })));
  return {
    hours: {
      weekly: rows.map(({ day, index }) => ({ days: [day], ...draft.week[day][index] })),
      holidays: [...draft.holidays].sort(),
      exceptions: Object.entries(draft.exceptions)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([date, intervals]) => ({ date, intervals })),
      nationalHolidays: draft.nationalHolidays ? 'JP' : null,
      switchMembers: draft.switchMembers,
    },
    rows,
  };
}

/** What a date is in the draft: an ordinary day, closed, or open with hours of its own. */
export type DateKind = 'usual' | 'closed' | 'special';

export function kindOf(draft: HoursDraft, date: string): DateKind {
  if (draft.holidays.includes(date)) return 'closed';
  return date in draft.exceptions ? 'special' : 'usual';
}

/** The draft with `date` made `kind`; a date opened with its own hours starts from its weekday's hours. */
export function withDateKind(draft: HoursDraft, date: string, kind: DateKind): HoursDraft {
  const holidays = draft.holidays.filter((d) => d !== date);
  const { [date]: _dropped, ...exceptions } = draft.exceptions;
  if (kind === 'closed') return { ...draft, holidays: [...holidays, date], exceptions };
  if (kind === 'special') {
    const usual = draft.week[weekdayOf(date)];
    return { ...draft, holidays, exceptions: { ...exceptions, [date]: usual.length > 0 ? usual.map((i) => ({ ...i })) : [{ open: '10:00', close: '16:00' }] } };
  }
  return { ...draft, holidays, exceptions };
}

/** The weekday of a calendar date (`2026-12-07` is a Monday), without the device's time zone in the way. */
export function weekdayOf(date: string): Weekday {
  const [y, m, d] = date.split('-').map(Number);
  return WEEKDAYS[(new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7];
}

/** The dates of a month's grid, weeks starting on Monday; blanks (null) before the 1st and after the last day. */
export function monthGrid(year: number, month: number): Array<string | null> {
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const first = `${year}-${String(month).padStart(2, '0')}-01`;
  const lead = WEEKDAYS.indexOf(weekdayOf(first));
  const cells: Array<string | null> = Array.from({ length: lead }, () => null);
  for (let day = 1; day <= days; day++) cells.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
  while (cells.length % 7 !== 0) cells.push(null);
  return cells;
}

/** Today's date in a time zone (`2026-12-07`). */
export function todayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

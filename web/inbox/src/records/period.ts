/**
 * The pages pick days in the team's time zone (as the reports do); the hub takes instants with their offset. A day's
 * start is written with the offset the zone has at that moment, so a day in Tokyo starts at 00:00+09:00 whatever
 * the browser's own zone.
 */
export function dayStart(day: string, timeZone: string): string {
  const noon = new Date(`${day}T12:00:00Z`);
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(noon).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  // `GMT` alone is UTC; otherwise `GMT+09:00`.
  const offset = name === 'GMT' ? '+00:00' : name.slice(3);
  return `${day}T00:00:00${offset}`;
}

/** The day after `day` (YYYY-MM-DD), for a period that includes its last day to its end. */
export function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/** Today in the team's time zone, and the day `days` before it. */
export function daysBack(days: number, timeZone: string, now = Date.now()): { from: string; to: string } {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now));
  const start = new Date(`${today}T00:00:00Z`);
  start.setUTCDate(start.getUTCDate() - days);
  return { from: start.toISOString().slice(0, 10), to: today };
}

/** [from, to) as the hub takes it from the days picked (either may be left empty). */
export function periodOf(days: { from: string; to: string }, timeZone: string): { from?: string; to?: string } {
  return {
    ...(days.from ? { from: dayStart(days.from, timeZone) } : {}),
    ...(days.to ? { to: dayStart(nextDay(days.to), timeZone) } : {}),
  };
}

import { DateTime } from 'luxon';

/**
 * A time as the team reads it: ISO 8601 with the zone's offset (`2026-12-07T13:05:00+09:00`), which spreadsheets
 * and programs read back exactly; without a zone, UTC.
 */
export function zonedTime(at: Date, timeZone?: string): string {
  if (!timeZone) return at.toISOString();
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}

/** A time for a person to read, with the zone named: `2026-12-07 13:05 (Asia/Tokyo)`. */
export function zonedClock(at: Date, timeZone: string): string {
  return `${DateTime.fromJSDate(at, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm')} (${timeZone})`;
}

import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { businessHoursSchema } from './business-hours.js';
import { groupOnShift, groupShiftPreview, memberOnShift, memberSwitchedByShift, nextShiftEdge } from './group-shifts.js';

const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const hours = (open: string, close: string, extra: Record<string, unknown> = {}) => businessHoursSchema.parse({ weekly: [{ days: EVERY_DAY, open, close }], ...extra });
const tokyo = (local: string) => DateTime.fromISO(local, { zone: 'Asia/Tokyo' }).toJSDate();

const TEAM = { hours: hours('10:00', '24:00', { nationalHolidays: 'JP' }), timeZone: 'Asia/Tokyo' };
const CALL_CENTER = hours('10:00', '18:00');
const EVENING = hours('18:00', '24:00');

describe('group shifts', () => {
  it('puts a group on shift within its own hours only', () => {
    expect(groupOnShift(TEAM, CALL_CENTER, tokyo('2027-01-08T17:59'))).toBe(true);
    expect(groupOnShift(TEAM, CALL_CENTER, tokyo('2027-01-08T18:00'))).toBe(false);
    expect(groupOnShift(TEAM, EVENING, tokyo('2027-01-08T18:00'))).toBe(true);
    expect(groupOnShift(TEAM, EVENING, tokyo('2027-01-08T23:59'))).toBe(true);
    expect(groupOnShift(TEAM, EVENING, tokyo('2027-01-09T00:00'))).toBe(false);
  });

  it('lets a group without hours follow the team', () => {
    expect(groupOnShift(TEAM, null, tokyo('2027-01-08T09:59'))).toBe(false);
    expect(groupOnShift(TEAM, null, tokyo('2027-01-08T21:00'))).toBe(true);
  });

  // Guards the rule a user expects: "closed on national holidays" on the team closes every group that day.
  it('closes every group on a national holiday the team closes on, even groups that do not name it', () => {
    expect(groupOnShift(TEAM, CALL_CENTER, tokyo('2027-01-11T12:00'))).toBe(false);
    expect(groupOnShift(TEAM, EVENING, tokyo('2027-01-11T20:00'))).toBe(false);
    expect(groupOnShift({ ...TEAM, hours: hours('10:00', '24:00') }, EVENING, tokyo('2027-01-11T20:00'))).toBe(true);
  });

  it('lets a group close on national holidays itself while the team stays open', () => {
    const teamOpen = { ...TEAM, hours: hours('10:00', '24:00') };
    expect(groupOnShift(teamOpen, hours('18:00', '24:00', { nationalHolidays: 'JP' }), tokyo('2027-01-11T20:00'))).toBe(false);
  });

  it('keeps a member on shift while any of their groups is (the union), and a member in no group with the team', () => {
    expect(memberOnShift(TEAM, [CALL_CENTER, EVENING], tokyo('2027-01-08T12:00'))).toBe(true);
    expect(memberOnShift(TEAM, [CALL_CENTER, EVENING], tokyo('2027-01-08T20:00'))).toBe(true);
    expect(memberOnShift(TEAM, [CALL_CENTER], tokyo('2027-01-08T20:00'))).toBe(false);
    expect(memberOnShift(TEAM, [], tokyo('2027-01-08T20:00'))).toBe(true);
    expect(memberOnShift(TEAM, [], tokyo('2027-01-08T09:00'))).toBe(false);
  });

  it('switches a member by their shift when a schedule they follow says so', () => {
    const quiet = hours('18:00', '24:00', { switchMembers: false });
    expect(memberSwitchedByShift(TEAM, [quiet])).toBe(false);
    expect(memberSwitchedByShift(TEAM, [quiet, CALL_CENTER])).toBe(true);
    expect(memberSwitchedByShift(TEAM, [quiet, null])).toBe(true);
    expect(memberSwitchedByShift({ ...TEAM, hours: null }, [])).toBe(false);
  });

  it('finds the next edge of the team or any group', () => {
    expect(nextShiftEdge(TEAM, [CALL_CENTER, EVENING], tokyo('2027-01-08T17:59'))).toEqual(tokyo('2027-01-08T18:00'));
    expect(nextShiftEdge(TEAM, [CALL_CENTER], tokyo('2027-01-08T18:00'))).toEqual(tokyo('2027-01-09T00:00'));
    expect(nextShiftEdge({ ...TEAM, hours: null }, [null], tokyo('2027-01-08T18:00'))).toBeNull();
  });

  it('previews a shift: on until its end, and the next start past the national holiday', () => {
    expect(groupShiftPreview(TEAM, EVENING, tokyo('2027-01-08T19:00'))).toEqual({ openNow: true, until: tokyo('2027-01-09T00:00'), next: tokyo('2027-01-09T18:00') });
    expect(groupShiftPreview(TEAM, CALL_CENTER, tokyo('2027-01-10T19:00'))).toEqual({ openNow: false, until: null, next: tokyo('2027-01-12T10:00') });
    expect(groupShiftPreview({ ...TEAM, hours: null }, null, tokyo('2027-01-10T19:00'))).toEqual({ openNow: true, until: null, next: null });
  });
});

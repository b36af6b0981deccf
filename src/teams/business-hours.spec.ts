import { businessHoursSchema, describeOpening, isOpen, nextChange, nextOpening, openingPreview } from './business-hours.js';

const TOKYO = 'Asia/Tokyo';
const hours = businessHoursSchema.parse({
  weekly: [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '10:30', close: '13:00' },
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '14:00', close: '17:00' },
  ],
  holidays: ['2026-12-07'],
  exceptions: [{ date: '2026-12-12', intervals: [{ open: '11:00', close: '15:00' }] }],
});
const tokyo = (local: string) => new Date(`${local}+09:00`);

describe('business hours', () => {
  it('is open inside the intervals and closed over lunch, after closing and at the weekend', () => {
    expect(isOpen(hours, TOKYO, tokyo('2026-12-04T10:30:00'))).toBe(true);
    expect(isOpen(hours, TOKYO, tokyo('2026-12-04T16:59:59'))).toBe(true);
    expect(isOpen(hours, TOKYO, tokyo('2026-12-04T13:30:00'))).toBe(false);
    expect(isOpen(hours, TOKYO, tokyo('2026-12-04T17:00:00'))).toBe(false);
    expect(isOpen(hours, TOKYO, tokyo('2026-12-05T12:00:00'))).toBe(false);
  });

  it('reads the time in the team’s zone, not the server’s', () => {
    // 02:00 UTC is 11:00 in Tokyo.
    expect(isOpen(hours, TOKYO, new Date('2026-12-04T02:00:00Z'))).toBe(true);
    expect(isOpen(hours, 'Europe/London', new Date('2026-12-04T02:00:00Z'))).toBe(false);
  });

  it('keeps holidays closed and exceptions open on their own hours', () => {
    expect(isOpen(hours, TOKYO, tokyo('2026-12-07T11:00:00'))).toBe(false);
    expect(isOpen(hours, TOKYO, tokyo('2026-12-12T14:30:00'))).toBe(true);
    expect(isOpen(hours, TOKYO, tokyo('2026-12-12T15:00:00'))).toBe(false);
  });

  it('finds the next opening past a weekend and a holiday', () => {
    expect(nextOpening(hours, TOKYO, tokyo('2026-12-04T17:30:00'))).toEqual(tokyo('2026-12-08T10:30:00'));
    expect(nextOpening(hours, TOKYO, tokyo('2026-12-04T13:10:00'))).toEqual(tokyo('2026-12-04T14:00:00'));
    expect(describeOpening(tokyo('2026-12-08T10:30:00'), TOKYO)).toBe('12月8日(火) 10:30');
  });

  it('gives each opening and closing as the next change, skipping intervals that touch', () => {
    const touching = businessHoursSchema.parse({ weekly: [{ days: ['mon'], open: '09:00', close: '12:00' }, { days: ['mon'], open: '12:00', close: '18:00' }] });
    expect(nextChange(touching, TOKYO, tokyo('2026-12-07T10:00:00'))).toEqual(tokyo('2026-12-07T18:00:00'));
    expect(nextChange(hours, TOKYO, tokyo('2026-12-04T16:59:00'))).toEqual(tokyo('2026-12-04T17:00:00'));
    expect(nextChange(hours, TOKYO, tokyo('2026-12-04T17:00:00'))).toEqual(tokyo('2026-12-08T10:30:00'));
  });

  it('treats a team without hours as always open, with no change to wait for', () => {
    expect(isOpen(null, TOKYO, new Date())).toBe(true);
    expect(nextChange(null, TOKYO, new Date())).toBeNull();
    expect(nextOpening(null, TOKYO, new Date())).toBeNull();
  });

  it('runs an interval to midnight and across it into the next day', () => {
    const late = businessHoursSchema.parse({ weekly: [{ days: ['fri'], open: '20:00', close: '24:00' }] });
    expect(isOpen(late, TOKYO, tokyo('2026-12-04T23:59:00'))).toBe(true);
    expect(isOpen(late, TOKYO, tokyo('2026-12-05T00:00:00'))).toBe(false);
    expect(nextChange(late, TOKYO, tokyo('2026-12-04T21:00:00'))).toEqual(tokyo('2026-12-05T00:00:00'));
  });

  it('refuses an interval that closes before it opens, naming the field', () => {
    const result = businessHoursSchema.safeParse({ weekly: [{ days: ['mon'], open: '17:00', close: '10:00' }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path).toEqual(['weekly']);
    expect(businessHoursSchema.safeParse({ weekly: [{ days: ['mon'], open: '9:00', close: '10:00' }] }).success).toBe(false);
  });
});

describe('business hours with Japanese national holidays', () => {
  // Weekdays with a lunch break; 2027-01-01 (元日, a Friday) and 2027-01-11 (成人の日, a Monday) are national
  // holidays, and 2027-01-12 has hours of its own.
  const withHolidays = businessHoursSchema.parse({
    weekly: [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '13:00' },
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '14:00', close: '18:00' },
    ],
    exceptions: [{ date: '2027-01-12', intervals: [{ open: '10:00', close: '12:00' }] }],
    nationalHolidays: 'JP',
  });

  it('closes on New Year’s Day and Coming of Age Day, and opens on the ordinary days around them', () => {
    expect(isOpen(withHolidays, TOKYO, tokyo('2027-01-01T10:00:00'))).toBe(false);
    expect(isOpen(withHolidays, TOKYO, tokyo('2027-01-11T10:00:00'))).toBe(false);
    expect(isOpen(withHolidays, TOKYO, tokyo('2027-01-08T10:00:00'))).toBe(true);
    // The same Monday is an ordinary day for a team that does not follow the national calendar.
    expect(isOpen({ ...withHolidays, nationalHolidays: null }, TOKYO, tokyo('2027-01-11T10:00:00'))).toBe(true);
    // Friday evening: the weekend and the holiday Monday are skipped; Tuesday has its exception's hours.
    expect(nextOpening(withHolidays, TOKYO, tokyo('2027-01-08T18:30:00'))).toEqual(tokyo('2027-01-12T10:00:00'));
  });

  it('reads the holiday in the team’s zone: New Year’s Day in Tokyo starts at 15:00 UTC the day before', () => {
    expect(isOpen(withHolidays, TOKYO, new Date('2026-12-31T15:30:00Z'))).toBe(false);
    expect(isOpen(withHolidays, TOKYO, new Date('2026-12-31T05:30:00Z'))).toBe(true);
  });

  it('lets an exception date open a national holiday on its own hours, and the team’s holidays close it again', () => {
    const openOnHoliday = { ...withHolidays, exceptions: [{ date: '2027-01-11', intervals: [{ open: '11:00', close: '15:00' }] }] };
    expect(isOpen(openOnHoliday, TOKYO, tokyo('2027-01-11T12:00:00'))).toBe(true);
    expect(isOpen({ ...openOnHoliday, holidays: ['2027-01-11'] }, TOKYO, tokyo('2027-01-11T12:00:00'))).toBe(false);
  });
});

describe(openingPreview.name, () => {
  const lunch = businessHoursSchema.parse({
    weekly: [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '13:00' },
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '14:00', close: '18:00' },
    ],
    exceptions: [{ date: '2027-01-13', intervals: [] }],
    nationalHolidays: 'JP',
  });

  it('says open until the lunch break and when it opens again', () => {
    expect(openingPreview(lunch, TOKYO, tokyo('2027-01-08T11:00:00'))).toEqual({ openNow: true, until: tokyo('2027-01-08T13:00:00'), next: tokyo('2027-01-08T14:00:00') });
  });

  it('says closed over lunch, with the afternoon as the next opening', () => {
    expect(openingPreview(lunch, TOKYO, tokyo('2027-01-08T13:30:00'))).toEqual({ openNow: false, until: null, next: tokyo('2027-01-08T14:00:00') });
  });

  it('skips a national holiday and a closed exception date to find the next opening', () => {
    // Sunday night: Monday 11th is Coming of Age Day; Tuesday is ordinary.
    expect(openingPreview(lunch, TOKYO, tokyo('2027-01-10T20:00:00'))).toEqual({ openNow: false, until: null, next: tokyo('2027-01-12T09:00:00') });
    // Tuesday evening: Wednesday 13th is closed by its exception.
    expect(openingPreview(lunch, TOKYO, tokyo('2027-01-12T18:00:00'))).toEqual({ openNow: false, until: null, next: tokyo('2027-01-14T09:00:00') });
  });

  it('is always open without hours', () => {
    expect(openingPreview(null, TOKYO, tokyo('2027-01-01T03:00:00'))).toEqual({ openNow: true, until: null, next: null });
  });
});

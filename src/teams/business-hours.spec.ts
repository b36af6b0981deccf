import { businessHoursSchema, describeOpening, isOpen, nextChange, nextOpening } from './business-hours.js';

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

import { describe, expect, it } from '@jest/globals';
import { DomainError } from './errors/domain-error.js';
import { reportDays } from './report-days.js';

describe(reportDays.name, () => {
  it('covers the 30 days up to today in the team’s zone by default', () => {
    // 2026-12-07 00:30 in Tokyo is still the 6th in UTC.
    const days = reportDays('Asia/Tokyo', {}, new Date('2026-12-06T15:30:00Z'));
    expect([days.from.toISODate(), days.to.toISODate()]).toEqual(['2026-11-08', '2026-12-07']);
    expect(days.period).toEqual({ gte: new Date('2026-11-07T15:00:00Z'), lt: new Date('2026-12-07T15:00:00Z') });
  });

  it('takes both days given, and refuses more than a year, naming from', () => {
    expect(reportDays('UTC', { from: '2025-12-07', to: '2026-12-07' }, new Date()).period).toEqual({ gte: new Date('2025-12-07T00:00:00Z'), lt: new Date('2026-12-08T00:00:00Z') });
    let refused: unknown;
    try {
      reportDays('UTC', { from: '2025-12-06', to: '2026-12-07' }, new Date());
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).details).toEqual([{ field: 'from', message: 'must be at most 366 days before to' }]);
  });
});

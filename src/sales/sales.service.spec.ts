import { describe, expect, it } from '@jest/globals';
import { reportCsv } from './sales.service.js';
import type { SalesReport } from './sales.service.js';

describe('reportCsv', () => {
  // CSV injection through a member's name (members choose their own): the sales CSV goes through the same
  // defusing as every other CSV the hub writes, full-width signs and leading spaces included.
  it('defuses a member name that a spreadsheet would run as a formula', () => {
    const row = { date: '2026-04-01', memberId: 'm1', attributed: true, count: 2, amount: -500, currency: 'JPY' };
    const report: SalesReport = {
      from: '2026-04-01',
      to: '2026-04-01',
      timeZone: 'Asia/Tokyo',
      rows: [
        { ...row, memberName: '＝HYPERLINK("http://evil.example","領収書")' },
        { ...row, memberName: ' =1+1' },
        { ...row, memberName: '佐藤 花子' },
      ],
      totals: { attributed: { count: 6, amounts: {} }, unattributed: { count: 0, amounts: {} } },
    };
    const lines = reportCsv(report).replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[1]).toBe(`2026-04-01,m1,"'＝HYPERLINK(""http://evil.example"",""領収書"")",yes,2,-500,JPY`);
    expect(lines[2]).toBe(`2026-04-01,m1,' =1+1,yes,2,-500,JPY`);
    // A refund's negative amount is a number, not a formula: it stays a number for the spreadsheet.
    expect(lines[3]).toBe('2026-04-01,m1,佐藤 花子,yes,2,-500,JPY');
  });
});

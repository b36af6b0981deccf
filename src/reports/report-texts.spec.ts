import { describe, expect, it } from '@jest/globals';
import { DEFAULT_REPORT_TEXTS, fillReportText, outcomeKind, outcomeLabel, summaryLine } from './report-texts.js';

describe('fillReportText', () => {
  it('fills the desk’s taking text as its manual writes it', () => {
    const text = fillReportText(DEFAULT_REPORT_TEXTS.taking, { 'agent.surname': '佐藤', 'contact.name': '山田 花子', channel: 'HPチャット', store: '渋谷' });
    expect(text).toBe('佐藤: 山田 花子様のチャットを対応します (HPチャット/渋谷)');
  });

  it('leaves a placeholder without a value as written, and never re-reads a filled value', () => {
    expect(fillReportText('{store} {unknown}', { store: '{contact.name}' })).toBe('{contact.name} {unknown}');
  });
});

describe('outcomes', () => {
  it('sends a booking to bookings and everything else to the call center', () => {
    expect(outcomeKind('booked')).toBe('booked');
    expect(outcomeKind('not_booked')).toBe('not_booked');
    expect(outcomeKind('cancelled')).toBe('other');
    expect([outcomeLabel('booked'), outcomeLabel('not_booked'), outcomeLabel('other'), outcomeLabel('キャンセル'), outcomeLabel(null, false)]).toEqual([
      '予約',
      '予約なし',
      'その他',
      'キャンセル',
      '対応中',
    ]);
  });
});

describe('summaryLine', () => {
  it('collapses whitespace and cuts a long message to 80 characters', () => {
    expect(summaryLine('お客様', '  明日\n\nの午前  ')).toBe('お客様: 明日 の午前');
    const line = summaryLine('お客様', 'あ'.repeat(100));
    expect([...line.slice('お客様: '.length)]).toHaveLength(80);
    expect(line.endsWith('…')).toBe(true);
  });
});

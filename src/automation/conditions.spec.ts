import { describe, expect, it } from '@jest/globals';
import { matchConditions } from './conditions.js';
import type { RuleFacts } from './conditions.js';

const facts: RuleFacts = {
  channelId: 'ch-1',
  store: '渋谷店',
  categoryId: null,
  intake: [{ key: 'purpose', question: 'ご用件', answer: '予約の変更' }],
  text: 'ＡＢＣ予約をキャンセルしたい',
  insideHours: false,
  attributes: { plan: 'gold' },
  outcome: 'booked',
};

describe(matchConditions.name, () => {
  it('matches every event of its type without conditions', () => {
    expect(matchConditions([], facts)).toEqual({ matched: true, results: [] });
  });

  it('matches when every condition does', () => {
    const verdict = matchConditions(
      [
        { kind: 'channel', channelIds: ['ch-1'] },
        { kind: 'store', stores: ['渋谷店'] },
        { kind: 'intake_answer', question: 'ご用件', answer: '変更' },
        { kind: 'business_hours', inside: false },
        { kind: 'contact_attribute', key: 'plan', value: 'gold' },
        { kind: 'outcome', outcomes: ['booked'] },
      ],
      facts,
    );
    expect(verdict.matched).toBe(true);
    expect(verdict.results.every((r) => r.matched)).toBe(true);
  });

  it('stops at the first condition that does not match and names it', () => {
    const verdict = matchConditions([{ kind: 'outcome', outcomes: ['booked'] }, { kind: 'category', categoryIds: ['c-1'] }, { kind: 'channel', channelIds: ['ch-1'] }], facts);
    expect(verdict).toEqual({ matched: false, results: [{ kind: 'outcome', matched: true }, { kind: 'category', matched: false }] });
  });

  // Guards words typed half-width in a rule against a customer's full-width text.
  it('finds words in the message whatever their width and case, any or all of them', () => {
    expect(matchConditions([{ kind: 'words', words: ['abc', '返金'], match: 'any' }], facts).matched).toBe(true);
    expect(matchConditions([{ kind: 'words', words: ['abc', '返金'], match: 'all' }], facts).matched).toBe(false);
    expect(matchConditions([{ kind: 'words', words: ['キャンセル'], match: 'any' }], { ...facts, text: null }).matched).toBe(false);
  });

  it('does not match an attribute the contact lacks or an intake question it was not asked', () => {
    expect(matchConditions([{ kind: 'contact_attribute', key: 'vip', value: 'true' }], facts).matched).toBe(false);
    expect(matchConditions([{ kind: 'intake_answer', question: 'other', answer: '予約' }], facts).matched).toBe(false);
  });
});

import { firstResponseSeconds, formatAmounts } from './conversation-export.service.js';

describe('conversation export fields', () => {
  it('writes amounts in each currency’s major unit', () => {
    expect(formatAmounts([{ currency: 'JPY', amount: 2800 }, { currency: 'USD', amount: 1250 }])).toBe('JPY 2800; USD 12.50');
    expect(formatAmounts([])).toBe('');
  });

  it('counts the first response from the customer’s first message, or from the start of a chat the agent began', () => {
    const createdAt = new Date('2026-11-20T01:00:00Z');
    expect(firstResponseSeconds({ createdAt, firstCustomerMessageAt: new Date('2026-11-20T01:00:10Z'), firstReplyAt: new Date('2026-11-20T01:01:10Z') })).toBe(60);
    expect(firstResponseSeconds({ createdAt, firstCustomerMessageAt: null, firstReplyAt: new Date('2026-11-20T01:00:30Z') })).toBe(30);
    expect(firstResponseSeconds({ createdAt, firstCustomerMessageAt: null, firstReplyAt: null })).toBeNull();
  });
});

import { describe, expect, it } from '@jest/globals';
import { formatPrice, minorDigitsOf } from './money.js';

describe('formatPrice', () => {
  it('writes yen without decimals and dollars with cents, from the minor unit', () => {
    expect(formatPrice(4999, 'JPY')).toBe('￥4,999');
    expect(formatPrice(1500, 'USD')).toBe('$15.00');
    expect(minorDigitsOf('JPY')).toBe(0);
    expect(minorDigitsOf('USD')).toBe(2);
  });

  it('falls back to the amount and code for a currency the runtime does not know', () => {
    expect(formatPrice(12, 'ZZ')).toBe('12 ZZ');
  });
});

import { describe, expect, it } from '@jest/globals';
import { normalizeIdentity } from './identity.normalizer.js';

describe('normalizeIdentity', () => {
  it('folds full-width characters and case in email addresses, and reads a display-name form', () => {
    expect(normalizeIdentity('email', 'Taro <TARO＠Example.COM>')).toBe('taro@example.com');
    expect(normalizeIdentity('email', ' ｔａｒｏ@example.com ')).toBe('taro@example.com');
    expect(normalizeIdentity('email', 'taro(at)example.com')).toBeNull();
  });

  it('writes Japanese numbers in E.164 whichever way they were typed', () => {
    for (const raw of ['090-1234-5678', '+81 90-1234-5678', '０９０－１２３４－５６７８', 'whatsapp:+819012345678', '(090) 1234 5678']) {
      expect(normalizeIdentity('phone', raw)).toBe('+819012345678');
    }
  });

  it('uses the team’s region for numbers without a country code', () => {
    expect(normalizeIdentity('phone', '(415) 555-2671', 'US')).toBe('+14155552671');
    expect(normalizeIdentity('phone', '12345')).toBeNull();
  });
});

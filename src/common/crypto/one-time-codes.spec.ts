import { describe, expect, it } from '@jest/globals';
import { OneTimeCodes } from './one-time-codes.js';

const key = Buffer.alloc(32, 3);

describe(OneTimeCodes.name, () => {
  it('matches the code it hashed, typed with full-width digits and spaces', () => {
    const codes = new OneTimeCodes(key, 'reset');
    const stored = codes.hash('04271');
    expect(codes.matches(stored, '０４２ ７１')).toBe(true);
    expect(codes.matches(stored, '04272')).toBe(false);
  });

  it('keys the hash by purpose and by server key, so a stolen hash cannot be looked up in a table of codes', () => {
    expect(new OneTimeCodes(key, 'reset').hash('12345')).not.toBe(new OneTimeCodes(key, 'proof').hash('12345'));
    expect(new OneTimeCodes(key, 'reset').hash('12345')).not.toBe(new OneTimeCodes(Buffer.alloc(32, 4), 'reset').hash('12345'));
  });

  it('draws codes of the asked length', () => {
    const codes = new OneTimeCodes(key, 'reset');
    for (let i = 0; i < 50; i += 1) expect(codes.generate(6)).toMatch(/^\d{6}$/);
  });
});

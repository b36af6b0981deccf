import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CONSENT_KEYWORDS, consentKeyword } from './consent.keywords.js';

describe('consentKeyword', () => {
  it('matches every default keyword, whatever its case, spacing, punctuation or width', () => {
    for (const word of DEFAULT_CONSENT_KEYWORDS.optOut) {
      for (const variant of [word, word.toLowerCase(), ` ${word}. `, `${word}!`, word.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))]) {
        expect(consentKeyword(variant)).toEqual({ kind: 'opt_out', keyword: word });
      }
    }
    expect(consentKeyword('Start')).toEqual({ kind: 'opt_in', keyword: 'START' });
    expect(consentKeyword('開始')).toEqual({ kind: 'opt_in', keyword: '開始' });
    expect(consentKeyword('help?')).toEqual({ kind: 'help', keyword: 'HELP' });
  });

  it('does not take a sentence that mentions stopping for an opt-out', () => {
    for (const text of ['cancel my order', 'STOP PLEASE', '配信停止してください？', 'stopping by later', '']) {
      expect(consentKeyword(text)).toBeNull();
    }
  });

  it('uses a team’s own lists when given', () => {
    expect(consentKeyword('やめて', { optOut: ['やめて'], optIn: [], help: [] })).toEqual({ kind: 'opt_out', keyword: 'やめて' });
    expect(consentKeyword('STOP', { optOut: ['やめて'], optIn: [], help: [] })).toBeNull();
  });
});

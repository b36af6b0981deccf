import { describe, expect, it } from '@jest/globals';
import { detectStore, storeOfPage } from './store-detection.js';
import { compileUrlPattern } from '../common/text/url-pattern.js';
import type { StoreTable } from './store-detection.js';

// The clinic's pages: every store's URL names it, except Kasai's (the default store).
const table: StoreTable = {
  patterns: [
    { pattern: 'https://clinic.example/shibuya/*', store: '渋谷' },
    { pattern: 'https://clinic.example/reserve*' },
  ],
  defaultStore: '葛西',
};

describe('storeOfPage', () => {
  it('matches the page without its query or fragment, any case, first pattern first', () => {
    expect(storeOfPage(table, 'https://clinic.example/shibuya/menu?utm=1#top')).toBe('渋谷');
    expect(storeOfPage(table, 'https://CLINIC.example/Shibuya/')).toBe('渋谷');
    expect(storeOfPage(table, 'https://clinic.example/reserve?shop=kasai')).toBe('葛西');
  });

  it('finds nothing for other sites, unreadable URLs, or without a table', () => {
    expect(storeOfPage(table, 'https://www.instagram.com/clinic/')).toBeNull();
    // A dot in a pattern is a dot, not "any character".
    expect(storeOfPage(table, 'https://clinicXexample/shibuya/')).toBeNull();
    expect(storeOfPage(table, 'not a url')).toBeNull();
    expect(storeOfPage(undefined, 'https://clinic.example/shibuya/')).toBeNull();
  });
});

describe('detectStore', () => {
  const pages = (...urls: string[]) => urls.map((url) => ({ url }));

  it('takes the current page first, then the access log, newest first, then gives up', () => {
    expect(detectStore(table, pages('https://clinic.example/reserve', 'https://clinic.example/shibuya/'), null)).toEqual({ store: '葛西', source: 'page', url: 'https://clinic.example/reserve' });
    expect(detectStore(table, pages('https://maps.example/', 'https://clinic.example/shibuya/a', 'https://clinic.example/reserve'), null)).toEqual({
      store: '渋谷',
      source: 'access_log',
      url: 'https://clinic.example/shibuya/a',
    });
    expect(detectStore(table, pages('https://maps.example/'), null)).toEqual({ store: null, source: 'unknown', url: null });
    expect(detectStore(table, [], null)).toEqual({ store: null, source: 'unknown', url: null });
  });

  it('lets the agent’s choice win over every page', () => {
    expect(detectStore(table, pages('https://clinic.example/shibuya/'), '新宿')).toEqual({ store: '新宿', source: 'agent', url: null });
  });
});

// Regular-expression denial of service: an administrator's pattern such as `*a*a*a*a*a*a*b` compiled to
// `^.*a.*a.*a…b$` backtracks through every way of placing the stars (n^k steps); one long URL from a visitor's
// browser then holds the event loop for minutes. The patterns are matched in linear time instead.
describe('store patterns against a hostile URL', () => {
  const url = `https://clinic.example/${'a'.repeat(2000 - 'https://clinic.example/'.length)}`;
  const patterns = Array.from({ length: 200 }, (_, i) => ({ pattern: `https://clinic.example/*a*a*a*a*a*a*a*a*a*${i}b`, store: `店${i}` }));

  it('counts at most linear steps for a 2,000-character URL against 200 wildcard patterns', () => {
    let steps = 0;
    for (const { pattern } of patterns) {
      const counter = { steps: 0 };
      expect(compileUrlPattern(pattern).matches(url, counter)).toBe(false);
      // KMP: each character of the URL is looked at a bounded number of times per pattern, whatever the stars.
      expect(counter.steps).toBeLessThanOrEqual(2 * (url.length + pattern.length));
      steps += counter.steps;
    }
    // About 200 × 4,000: a backtracking regex needs more than 2000^9 / 9! for one pattern.
    expect(steps).toBeLessThanOrEqual(200 * 2 * (url.length + 60));
  });

  // The bound on steps above is what keeps it fast; a wall-clock limit here failed only on a busy machine.
  it('gets through the pathological set, and still finds the pattern that matches', () => {
    expect(storeOfPage({ patterns }, url)).toBeNull();
    expect(storeOfPage({ patterns: [...patterns, { pattern: 'https://clinic.example/*a*a*a', store: '最後' }] }, url)).toBe('最後');
  });

  it('keeps what a star means: any run, including none, anchored at both ends, any case', () => {
    const cases: [string, string, boolean][] = [
      ['https://a.example/*', 'https://a.example/', true],
      ['https://a.example/*', 'https://a.example/x/y', true],
      ['https://a.example/x', 'https://a.example/x/y', false],
      ['*/menu', 'https://a.example/shibuya/menu', true],
      ['*/menu', 'https://a.example/menu/x', false],
      ['https://*.example/*/menu*', 'https://WWW.Example/shibuya/menu-2', true],
      ['ab*ba', 'aba', false],
      ['ab*ba', 'abba', true],
      ['a*a*a', 'aa', false],
      ['a**b', 'ab', true],
      ['*', '', true],
      ['https://a.example/(x)+?', 'https://a.example/(x)+?', true],
      ['https://a.example/(x)+?', 'https://a.example/xx', false],
    ];
    for (const [pattern, text, expected] of cases) expect([pattern, text, compileUrlPattern(pattern).matches(text)]).toEqual([pattern, text, expected]);
  });
});

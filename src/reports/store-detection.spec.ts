import { describe, expect, it } from '@jest/globals';
import { detectStore, storeOfPage } from './store-detection.js';
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

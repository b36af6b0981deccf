import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, errorCatalog } from '../../../web/inbox/src/shared/error-catalog.js';
import { ERROR_CODES } from './error-codes.js';

const SRC = join(import.meta.dirname, '..', '..');
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * Every code literal the server's source hands out: a DomainError's, a limit's, a send result's or a check's, and
 * any `code: '...'` of a refusal written as an object. The types already hold these to ERROR_CODES; this reads the
 * text as well, so a code slipped past the types (a cast, an untyped object) is caught too.
 */
function codesInSource(): Map<string, string> {
  const found = new Map<string, string>();
  const patterns = [
    /new DomainError\(\s*'[a-z_]+',\s*'([a-z0-9_]+)'/g,
    /(?:tooManyRequests|unavailable|checkFailed)\(\s*'([a-z0-9_]+)'/g,
    /\bcode: '([a-z0-9_]+)'/g,
  ];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.set(match[1], file.slice(SRC.length + 1));
  }
  // zod's own issue code and a passed channel check are no refusals.
  found.delete('custom');
  found.delete('ok');
  return found;
}

describe('ERROR_CODES', () => {
  it('names every code the server source sends', () => {
    const listed = new Set<string>(ERROR_CODES);
    const unlisted = [...codesInSource()].filter(([code]) => !listed.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(unlisted).toEqual([]);
  });

  it('finds the codes it looks for (the scan reads the source)', () => {
    // Guards the scan itself: a pattern that stopped matching would make the test above pass on nothing.
    const found = codesInSource();
    for (const code of ['outcome_needs_confirmation', 'withdraw_too_late', 'provider_rejected_number', 'rate_limited', 'held_by_colleague']) expect(found.has(code)).toBe(true);
  });

  it('lists only codes the server uses', () => {
    // A code kept here after its last use is gone would ask the catalogs for sentences nobody reads.
    const text = sourceFiles(SRC)
      .filter((file) => !file.endsWith('error-codes.ts'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    expect(ERROR_CODES.filter((code) => !text.includes(`'${code}'`))).toEqual([]);
  });

  it('lists each code once', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
});

describe('the inbox error catalog', () => {
  it.each(ERROR_CODES.map((code) => [code]))('has a Japanese and an English sentence for %s', (code) => {
    expect(errorCatalog.ja[code]).toMatch(JAPANESE);
    expect(errorCatalog.en[code]?.trim().length).toBeGreaterThan(0);
    // No English sentence in the Japanese catalog, nor a copy of the English one.
    expect(errorCatalog.ja[code]).not.toBe(errorCatalog.en[code]);
  });

  it('has no sentence for a code the server no longer sends', () => {
    const listed = new Set<string>(ERROR_CODES);
    expect(Object.keys(errorCatalog.ja).filter((code) => !listed.has(code))).toEqual([]);
    expect(Object.keys(errorCatalog.en).filter((code) => !listed.has(code))).toEqual([]);
  });

  it('fills a failure’s details and names the provider’s own code', () => {
    expect(describeError('ja', 'provider_rejected_number', { provider: 'twilio', providerCode: '21211' })).toBe('この電話番号は無効か、使われていません。（Twilio のコード 21211）');
    expect(describeError('en', 'provider_refused', { provider: 'line', status: 400 })).toBe('LINE refused the message.');
    expect(describeError('ja', 'text_too_long', { length: 5001, maxTextLength: 5000 })).toContain('5001文字、上限5000文字');
  });

  it('reads an unknown code as a Japanese sentence naming the code, never the server’s English', () => {
    expect(describeError('ja', 'some_newer_code')).toBe('操作を完了できませんでした（コード: some_newer_code）。');
  });
});

import { csvField, csvLine, csvStream, UTF8_BOM } from './csv.js';

describe('CSV', () => {
  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    expect(csvField('予約, 変更')).toBe('"予約, 変更"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
    expect(csvLine(['a', 1, true])).toBe('a,1,true\r\n');
  });

  // CSV injection: a cell a spreadsheet would run as a formula. Excel also reads the full-width signs (an IME
  // types them) and skips leading spaces before a formula, so those must be defused too.
  it('defuses full-width formula signs and formulas behind leading spaces or tabs', () => {
    for (const formula of ['＝HYPERLINK("http://evil.example")', '＋1+1', '－1+1', '＠SUM(A1)', ' =1+1', '\t=1+1', '  +cmd|x', '\u3000=1+1', '\r=1']) {
      const field = csvField(formula);
      expect([formula, field.replace(/^"/, '').startsWith("'")]).toEqual([formula, true]);
    }
    // Ordinary text and numbers stay as they were.
    expect(csvField(' 渋谷店')).toBe(' 渋谷店');
    expect(csvField('A-1001')).toBe('A-1001');
    expect(csvField(-500)).toBe('-500');
  });

  it('streams a BOM, the header and every page in order', async () => {
    async function* pages() {
      yield [{ n: 1 }, { n: 2 }];
      yield [];
      yield [{ n: 3 }];
    }
    let text = '';
    for await (const chunk of csvStream(['n'], pages(), (row) => [row.n])) text += String(chunk);
    expect(text).toBe(`${UTF8_BOM}n\r\n1\r\n2\r\n3\r\n`);
  });
});

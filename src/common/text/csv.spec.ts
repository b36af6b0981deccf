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

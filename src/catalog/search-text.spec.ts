import { describe, expect, it } from '@jest/globals';
import { barcodeDigits, foldForSearch, gtinForms } from './search-text.js';

describe(foldForSearch.name, () => {
  it('folds half-width katakana, full-width letters and katakana into one form', () => {
    expect(foldForSearch('ﾜﾝﾋﾟｰｽ')).toBe('わんぴーす');
    expect(foldForSearch('ワンピース')).toBe('わんぴーす');
    expect(foldForSearch('ＬＩＮＥＮ　Ｓｈｉｒｔ')).toBe('linen shirt');
    expect(foldForSearch('ヴィンテージ')).toBe('ゔぃんてーじ');
  });
});

describe(barcodeDigits.name, () => {
  it('reads a JAN code written with spaces, hyphens or full-width digits, and nothing else', () => {
    expect(barcodeDigits('4901234567894')).toBe('4901234567894');
    expect(barcodeDigits('４９０１２３４ ５６７８９４')).toBe('4901234567894');
    expect(barcodeDigits('49-01234-56789-4')).toBe('4901234567894');
    expect(barcodeDigits('ワンピース')).toBeNull();
    expect(barcodeDigits('1234')).toBeNull();
  });
});

describe('gtinForms', () => {
  it('takes a UPC-A as the EAN-13 with a leading zero and the GTIN-14, and back', () => {
    expect(gtinForms('012345678905').sort()).toEqual(['00012345678905', '0012345678905', '012345678905'].sort());
    expect(gtinForms('0012345678905')).toEqual(expect.arrayContaining(['012345678905']));
    expect(gtinForms('4901234567894')).toEqual(['4901234567894', '04901234567894']);
  });
});

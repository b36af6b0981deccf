/**
 * Text as the catalog search compares it, on both sides (the product's and the query's): NFKC first, so half-width
 * katakana (ﾜﾝﾋﾟｰｽ) and full-width letters and digits (ＡＢＣ１２３) become their usual forms; then lower case; then
 * katakana as hiragana, so ワンピース and わんぴーす find each other; runs of spaces as one.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u30a1-\u30f6]/g, (katakana) => String.fromCharCode(katakana.charCodeAt(0) - 0x60))
    .replace(/\s+/g, ' ')
    .trim();
}

/** A barcode as printed or typed: its digits only (JAN codes are written with spaces or hyphens, full-width too). */
export function barcodeDigits(text: string): string | null {
  const digits = text.normalize('NFKC').replace(/[\s-]/g, '');
  return /^\d{8,14}$/.test(digits) ? digits : null;
}

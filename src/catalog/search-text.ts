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

/**
 * The ways one GTIN is written: a UPC-A (12 digits, as a scanner reads the code on the box) is the same item as the
 * EAN-13 with a leading 0 that feeds often give, and a GTIN-14 pads either with zeros. A barcode looked up is compared
 * with each.
 */
export function gtinForms(digits: string): string[] {
  const core = digits.replace(/^0+(?=\d{8})/, '');
  const forms = new Set([digits]);
  if (core.length === 8) forms.add(core);
  for (const length of [12, 13, 14]) if (core.length <= length) forms.add(core.padStart(length, '0'));
  return [...forms];
}

/** How many decimals a currency's minor unit has (JPY 0, USD 2), from the runtime's ISO 4217 data; 2 if unknown. */
export function minorDigitsOf(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/**
 * A price kept in the currency's minor unit, as a customer reads it: `￥4,999`, `$15.00`. Yen is written the
 * Japanese way (the shops that price in yen sell in Japan); other currencies the English way, which every customer
 * of a shop abroad can read.
 */
export function formatPrice(minor: number, currency: string): string {
  const locale = currency === 'JPY' ? 'ja-JP' : 'en-US';
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 10 ** minorDigitsOf(currency));
  } catch {
    return `${minor} ${currency}`;
  }
}

/**
 * A price the hub keeps in the currency's minor unit (yen, cents), written the way the currency is: `Intl` formats
 * the major unit, so the amount is divided by as many tens as the currency has decimals (none for yen, two for euro).
 */
export function formatMinorUnits(amount: number, currency: string, locale?: string): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
  return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 0));
}

import type { ChartSpec } from '../shared/chart-library';
import type { SalesReport } from './useSales';

/**
 * The sales report as bar charts, one per currency (amounts in different currencies do not add up): a bar per day
 * for each member, and one for the unattributed sales. Amounts are in the currency's main unit, as the table shows
 * them; the CSV keeps the minor units the hub stores.
 */
export function salesChartSpecs(report: SalesReport, unattributed: string): { currency: string; spec: ChartSpec }[] {
  const days = [...new Set(report.rows.map((row) => row.date))].sort();
  const currencies = [...new Set(report.rows.map((row) => row.currency))];
  return currencies.map((currency) => {
    const rows = report.rows.filter((row) => row.currency === currency);
    const scale = 10 ** (new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2);
    const series = new Map<string, (number | null)[]>();
    for (const row of rows) {
      const name = row.memberName ?? unattributed;
      const data = series.get(name) ?? days.map(() => null);
      const day = days.indexOf(row.date);
      data[day] = (data[day] ?? 0) + row.amount / scale;
      series.set(name, data);
    }
    return { currency, spec: { kind: 'bar', labels: days, datasets: [...series].map(([label, data]) => ({ label, data })) } };
  });
}

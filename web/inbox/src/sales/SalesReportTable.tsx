import { useMemo } from 'react';
import { answer, hub } from '../api';
import { fill, useWords } from '../i18n';
import { saveFile } from '../shared/download';
import { ReportChart } from '../shared/ReportChart';
import { useSession } from '../shared/session';
import { money } from '../shared/time';
import { salesChartSpecs } from './sales-chart';
import type { SalesReport } from './useSales';
import { salesWords } from './words';

/**
 * The sales report by day and member: a chart per currency and the table beside it, both the rows of
 * `GET /api/sales/report`, whose CSV (the same rows) is a button away.
 */
export function SalesReportTable({ report }: { report: SalesReport }) {
  const words = useWords(salesWords);
  const { language } = useSession();
  const { attributed, unattributed } = report.totals;
  const charts = useMemo(() => salesChartSpecs(report, words.unattributed), [report, words.unattributed]);
  const downloadCsv = async () => {
    const query = { from: report.from, to: report.to, format: 'csv' as const };
    saveFile(await answer(hub.GET('/api/sales/report', { params: { query }, parseAs: 'blob' })), `sales-${report.from}-${report.to}.csv`);
  };
  return (
    <section aria-label={words.report}>
      <h2>
        {words.report} <small>{fill(words.reportPeriod, { from: report.from, to: report.to, zone: report.timeZone })}</small>
      </h2>
      <button type="button" onClick={() => void downloadCsv()}>
        {words.downloadCsv}
      </button>
      {report.rows.length === 0 && <p className="empty">{words.reportEmpty}</p>}
      {charts.map(({ currency, spec }) => (
        <ReportChart key={currency} spec={spec} label={fill(words.chart, { currency })} fileName={`sales-${report.from}-${report.to}-${currency}.png`} pngLabel={words.png} />
      ))}
      <div className="table-scroll">
        <table aria-label={words.report}>
          <thead>
            <tr>
              <th scope="col">{words.date}</th>
              <th scope="col">{words.member}</th>
              <th scope="col">{words.count}</th>
              <th scope="col">{words.amount}</th>
            </tr>
          </thead>
          <tbody>
            {report.rows.map((row) => (
              <tr key={`${row.date}|${row.memberId ?? ''}|${row.currency}`}>
                <td>{row.date}</td>
                <td>{row.memberName ?? words.unattributed}</td>
                <td>{row.count}</td>
                <td>{money({ [row.currency]: row.amount }, language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="totals">
        {fill(words.totals, {
          attributed: attributed.count,
          attributedAmount: money(attributed.amounts, language) || '0',
          unattributed: unattributed.count,
          unattributedAmount: money(unattributed.amounts, language) || '0',
        })}
      </p>
    </section>
  );
}

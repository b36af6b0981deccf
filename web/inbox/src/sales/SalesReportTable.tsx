import { fill, useWords } from '../i18n';
import { useSession } from '../shared/session';
import { money } from '../shared/time';
import type { SalesReport } from './useSales';
import { salesWords } from './words';

/** The sales report by day and member as a table: the rows of `GET /api/sales/report` and its CSV, one for one. */
export function SalesReportTable({ report }: { report: SalesReport }) {
  const words = useWords(salesWords);
  const { language } = useSession();
  const { attributed, unattributed } = report.totals;
  return (
    <section aria-label={words.report}>
      <h2>
        {words.report} <small>{fill(words.reportPeriod, { from: report.from, to: report.to, zone: report.timeZone })}</small>
      </h2>
      {report.rows.length === 0 && <p className="empty">{words.reportEmpty}</p>}
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

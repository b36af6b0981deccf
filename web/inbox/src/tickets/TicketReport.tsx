import { answer, answerJson, hub } from '../api';
import type { Views } from '../api';
import { fill, useWords } from '../i18n';
import { saveFile } from '../shared/download';
import { useResource } from '../shared/useResource';
import { ticketWords } from './words';

const loadReport = () => answerJson(hub.GET('/api/reports/tickets'));

/** Supervisors: tickets opened, solved and gone overdue per day (the last 30), the same rows as the CSV. */
export function TicketReport() {
  const words = useWords(ticketWords);
  const report: Views['TicketReport'] | null = useResource(loadReport).data;
  if (!report) return null;
  const downloadCsv = async () => {
    const query = { from: report.from, to: report.to, format: 'csv' as const };
    saveFile(await answer(hub.GET('/api/reports/tickets', { params: { query }, parseAs: 'blob' })), `tickets-${report.from}-${report.to}.csv`);
  };
  // Days without a ticket opened, solved or overdue say nothing: left out of the table (the CSV has every day).
  const rows = report.rows.filter((row) => row.opened + row.solved + row.overdue > 0);
  return (
    <section aria-label={words.report}>
      <h2>
        {words.report} <small>{fill(words.reportPeriod, { from: report.from, to: report.to, zone: report.timeZone })}</small>
      </h2>
      <button type="button" onClick={() => void downloadCsv()}>
        {words.downloadCsv}
      </button>
      <table aria-label={words.report}>
        <thead>
          <tr>
            <th scope="col">{words.date}</th>
            <th scope="col">{words.opened}</th>
            <th scope="col">{words.solved}</th>
            <th scope="col">{words.overdue}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.date}>
              <td>{row.date}</td>
              <td>{row.opened}</td>
              <td>{row.solved}</td>
              <td>{row.overdue}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="totals">{fill(words.totals, report.totals)}</p>
    </section>
  );
}

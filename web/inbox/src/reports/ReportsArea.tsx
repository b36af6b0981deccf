import { useContext, useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError } from '../api';
import { CurrentLanguage, fill, useText, useWords } from '../i18n';
import { money } from '../shared/time';
import { useTeam } from '../shared/useTeam';
import { chartSpec, GROUP_METRIC_NAMES, groupRows, memberRows, METRIC_NAMES } from './figures';
import type { Metric, SectionRow } from './figures';
import { ReportChart } from '../shared/ReportChart';
import { downloadCsv, useTeamReport } from './useTeamReport';
import type { Breakdown, Period } from './useTeamReport';
import { reportWords } from './words';
import type { ReportWords } from './words';
import './reports.css';

const BREAKDOWNS: Breakdown[] = ['day', 'member', 'category', 'channel', 'store'];

/** `YYYY-MM-DD` of an instant in a time zone. */
function dayIn(zone: string, at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The first and last day of the month `offset` months from the one holding `day`. */
function monthOf(day: string, offset: number): Period {
  const [year, month] = day.split('-').map(Number);
  const first = new Date(Date.UTC(year, month - 1 + offset, 1));
  const last = new Date(Date.UTC(year, month + offset, 0));
  return { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10) };
}

/**
 * `/app/reports`, supervisors and administrators: the team's figures over a period of days in the team's time zone,
 * per day, member, category, channel and store, each as a chart with its table beside it, and its CSV and PNG.
 */
export default function ReportsArea() {
  const words = useWords(reportWords);
  const team = useTeam();
  if (!team) return <main className="pane reports loading" aria-busy="true" />;
  return <Reports words={words} timeZone={team.timeZone} />;
}

function Reports({ words, timeZone }: { words: ReportWords; timeZone: string }) {
  const [params, setParams] = useSearchParams();
  const thisMonth = monthOf(dayIn(timeZone, new Date()), 0);
  // The period is in the address, so a reload or a shared link shows the same report.
  const period = useMemo<Period>(() => ({ from: params.get('from') ?? thisMonth.from, to: params.get('to') ?? thisMonth.to }), [params, thisMonth.from, thisMonth.to]);
  const [draft, setDraft] = useState<Period>(period);
  const { report, refusal } = useTeamReport(period);
  const sections = useMemo(() => (report ? BREAKDOWNS.map((breakdown) => ({ breakdown, rows: rowsOf(report, breakdown, words) })) : []), [report, words]);

  const show = (next: Period) => {
    setDraft(next);
    setParams({ from: next.from, to: next.to });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    show(draft);
  };

  return (
    <main className="pane reports">
      <h2>{words.title}</h2>
      <form className="report-period" onSubmit={submit} aria-label={words.period}>
        <label>
          {words.from}
          <input type="date" value={draft.from} required onChange={(e) => setDraft({ ...draft, from: e.target.value })} aria-invalid={refusal?.fields.from ? true : undefined} />
        </label>
        <label>
          {words.to}
          <input type="date" value={draft.to} required onChange={(e) => setDraft({ ...draft, to: e.target.value })} aria-invalid={refusal?.fields.to ? true : undefined} />
        </label>
        <button type="submit">{words.show}</button>
        <button type="button" onClick={() => show(thisMonth)}>
          {words.thisMonth}
        </button>
        <button type="button" onClick={() => show(monthOf(thisMonth.from, -1))}>
          {words.lastMonth}
        </button>
        <p className="hint">{fill(words.timeZoneHint, { zone: timeZone })}</p>
      </form>
      {refusal && (
        <p role="alert" className="error">
          {refusal.fields.to ?? refusal.fields.from ?? refusal.message}
        </p>
      )}
      {!report && !refusal && <p aria-busy="true">{words.loading}</p>}
      {report && report.businessHoursOnly && <p className="hint">{words.businessHoursOnly}</p>}
      {sections.map(({ breakdown, rows }) => (
        <ReportSection key={breakdown} breakdown={breakdown} period={period} rows={rows} words={words} />
      ))}
    </main>
  );
}

function rowsOf(report: NonNullable<ReturnType<typeof useTeamReport>['report']>, breakdown: Breakdown, words: ReportWords): SectionRow[] {
  if (breakdown === 'member') return memberRows(report.members);
  const groups = { day: report.days, category: report.categories, channel: report.channels, store: report.stores }[breakdown];
  return groupRows(groups, words.none);
}

function ReportSection({ breakdown, period, rows, words }: { breakdown: Breakdown; period: Period; rows: SectionRow[]; words: ReportWords }) {
  const text = useText();
  const language = useContext(CurrentLanguage);
  const [metric, setMetric] = useState<Metric>('conversations');
  const [failure, setFailure] = useState<string | null>(null);
  const section = words.sections[breakdown];
  const labelled = useMemo(() => (breakdown === 'channel' ? rows.map((row) => ({ ...row, labels: [text.channel[row.key] ?? row.key] })) : rows), [breakdown, rows, text]);
  const spec = useMemo(() => chartSpec(breakdown, labelled, metric, words.metrics[metric]), [breakdown, labelled, metric, words]);
  const headers = breakdown === 'member' ? [words.day, words.keyColumn.member] : [words.keyColumn[breakdown]];
  // A member's day counts no product cards or calls (nor does the member CSV): those columns are the groups'.
  const groupMetrics = breakdown === 'member' ? [] : GROUP_METRIC_NAMES;

  const csv = async () => {
    setFailure(null);
    try {
      await downloadCsv(period, breakdown);
    } catch (error) {
      setFailure(error instanceof ApiError ? error.message : String(error));
    }
  };

  return (
    <section className="report-section" aria-label={section} data-breakdown={breakdown}>
      <header>
        <h3>{section}</h3>
        <label>
          {words.metric}
          <select value={metric} onChange={(e) => setMetric(e.target.value as Metric)}>
            {[...METRIC_NAMES, ...groupMetrics].map((name) => (
              <option key={name} value={name}>
                {words.metrics[name]}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void csv()}>
          {words.downloadCsv}
        </button>
        {failure && (
          <p role="alert" className="error">
            {failure}
          </p>
        )}
      </header>
      {rows.length === 0 ? (
        <p className="empty">{words.empty}</p>
      ) : (
        <div className="report-body">
          <ReportChart
            spec={spec}
            label={fill(words.chartOf, { section, metric: words.metrics[metric] })}
            fileName={`report-${breakdown}-${period.from}-${period.to}.png`}
            pngLabel={words.downloadPng}
          />
          <div className="report-table">
            <table>
              <caption>{fill(words.tableOf, { section })}</caption>
              <thead>
                <tr>
                  {headers.map((header) => (
                    <th key={header} scope="col">
                      {header}
                    </th>
                  ))}
                  {METRIC_NAMES.map((name) => (
                    <MetricHeader key={name} name={name} metric={metric} words={words} />
                  ))}
                  <th scope="col">{words.metrics.salesAmount}</th>
                  {groupMetrics.map((name) => (
                    <MetricHeader key={name} name={name} metric={metric} words={words} />
                  ))}
                </tr>
              </thead>
              <tbody>
                {labelled.map((row) => (
                  <tr key={row.key}>
                    {row.labels.map((label, index) => (index === 0 ? <th key={index} scope="row">{label}</th> : <td key={index}>{label}</td>))}
                    {METRIC_NAMES.map((name) => (
                      <MetricCell key={name} name={name} metric={metric} row={row} />
                    ))}
                    <td>{money(Object.fromEntries(row.amounts.map(({ currency, amount }) => [currency, amount])), language)}</td>
                    {groupMetrics.map((name) => (
                      <MetricCell key={name} name={name} metric={metric} row={row} />
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}

function MetricHeader({ name, metric, words }: { name: Metric; metric: Metric; words: ReportWords }) {
  return (
    <th scope="col" className={name === metric ? 'charted' : undefined}>
      {words.metrics[name]}
    </th>
  );
}

function MetricCell({ name, metric, row }: { name: Metric; metric: Metric; row: SectionRow }) {
  return <td className={name === metric ? 'charted' : undefined}>{row.values[name] ?? '–'}</td>;
}

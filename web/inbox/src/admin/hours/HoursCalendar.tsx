import { useState } from 'react';
import { fill, useWords } from '../../i18n';
import { IntervalsEditor } from './IntervalsEditor';
import { WEEKDAYS, kindOf, monthGrid, todayIn, withDateKind } from './hours-draft';
import type { DateKind, HoursDraft } from './hours-draft';
import { hoursWords } from './words';

const KINDS: DateKind[] = ['usual', 'closed', 'special'];

/**
 * Closed dates and dates with hours of their own on a month grid: a click picks a date, and the choices under the grid
 * make it an ordinary day, closed, or open with its own intervals. Each date button says what the date is, so the grid
 * reads the same without its marks and colours.
 */
export function HoursCalendar({ draft, onChange, errorOf }: { draft: HoursDraft; onChange: (next: HoursDraft) => void; errorOf: (date: string) => string | undefined }) {
  const words = useWords(hoursWords);
  const today = todayIn(draft.timeZone);
  const [month, setMonth] = useState(() => ({ year: Number(today.slice(0, 4)), month: Number(today.slice(5, 7)) }));
  const [selected, setSelected] = useState<string | null>(null);
  const move = (by: number) => {
    const index = month.year * 12 + (month.month - 1) + by;
    setMonth({ year: Math.floor(index / 12), month: (index % 12) + 1 });
  };
  const dateLabel = (date: string) => fill(words.dateLabel, { year: date.slice(0, 4), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) });
  const cells = monthGrid(month.year, month.month);
  const weeks = Array.from({ length: cells.length / 7 }, (_, i) => cells.slice(i * 7, i * 7 + 7));
  const selectedKind = selected ? kindOf(draft, selected) : null;

  return (
    <fieldset className="hours-calendar">
      <legend>{words.calendar}</legend>
      <p className="hint">{words.calendarHint}</p>
      <div className="actions month-nav">
        <button type="button" className="secondary" onClick={() => move(-1)} aria-label={words.previousMonth}>
          ‹
        </button>
        <h3 aria-live="polite">{fill(words.monthTitle, { year: month.year, month: month.month })}</h3>
        <button type="button" className="secondary" onClick={() => move(1)} aria-label={words.nextMonth}>
          ›
        </button>
      </div>
      <table role="grid" aria-label={fill(words.monthTitle, { year: month.year, month: month.month })}>
        <thead>
          <tr>
            {WEEKDAYS.map((day) => (
              <th key={day} scope="col" abbr={words.days[day]}>
                {words.shortDays[day]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week, w) => (
            <tr key={w}>
              {week.map((date, d) => {
                if (!date) return <td key={d} />;
                const kind = kindOf(draft, date);
                return (
                  <td key={date}>
                    <button
                      type="button"
                      className={`date ${kind}${date === today ? ' today' : ''}`}
                      aria-pressed={date === selected}
                      aria-label={`${dateLabel(date)}${kind === 'usual' ? '' : ` ${words.kinds[kind]}`}`}
                      onClick={() => setSelected(date)}
                    >
                      {Number(date.slice(8, 10))}
                      <span aria-hidden="true" className="mark">
                        {words.kindMarks[kind]}
                      </span>
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {selected && selectedKind ? (
        <div role="group" aria-label={fill(words.dateSettings, { date: dateLabel(selected) })} className="date-settings">
          <p>
            <strong>{fill(words.dateSettings, { date: dateLabel(selected) })}</strong>
          </p>
          <div className="actions">
            {KINDS.map((kind) => (
              <label key={kind} className="check">
                <input type="radio" name="date-kind" checked={selectedKind === kind} onChange={() => onChange(withDateKind(draft, selected, kind))} /> {words.kinds[kind]}
              </label>
            ))}
          </div>
          {selectedKind === 'special' && (
            <IntervalsEditor
              name={dateLabel(selected)}
              intervals={draft.exceptions[selected]}
              max={10}
              onChange={(intervals) => onChange({ ...draft, exceptions: { ...draft.exceptions, [selected]: intervals } })}
            />
          )}
          {errorOf(selected) && (
            <p className="field-error" role="alert">
              {errorOf(selected)}
            </p>
          )}
        </div>
      ) : (
        <p className="hint">{words.pickDate}</p>
      )}
    </fieldset>
  );
}

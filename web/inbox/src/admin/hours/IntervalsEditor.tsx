import { fill, useWords } from '../../i18n';
import type { Interval } from './hours-draft';
import { hoursWords } from './words';

/**
 * The opening intervals of one day (a weekday, or a date with hours of its own): a pair of time inputs per interval,
 * a button to add one (a lunch break is the gap between two) and one to remove each. `errorOf` is the hub's sentence
 * about an interval, shown under it. A time input cannot say 24:00, so midnight shows as 23:59 and 23:59 typed is
 * midnight (an evening shift to 24:00).
 */
export function IntervalsEditor(props: { name: string; intervals: Interval[]; onChange: (next: Interval[]) => void; errorOf?: (index: number) => string | undefined; max?: number }) {
  const words = useWords(hoursWords);
  const { name, intervals, onChange, errorOf } = props;
  const set = (index: number, patch: Partial<Interval>) => onChange(intervals.map((interval, i) => (i === index ? { ...interval, ...patch } : interval)));
  const add = () => {
    // The new interval starts an hour after the last one closes, so adding one after a morning gives an afternoon.
    const last = intervals.at(-1);
    const start = last ? Math.min(Number(last.close.slice(0, 2)) + 1, 23) : 9;
    const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
    onChange([...intervals, { open: hh(start), close: start + 4 >= 24 ? '24:00' : hh(start + 4) }]);
  };

  return (
    <div className="intervals">
      {intervals.length === 0 && <span className="hint">{words.closedDay}</span>}
      {intervals.map((interval, index) => {
        const label = fill(words.interval, { day: name, n: index + 1 });
        const error = errorOf?.(index);
        return (
          <div key={index} role="group" aria-label={label} className="interval">
            <label>
              <span className="visually-hidden">{`${label} `}</span>
              {words.open}
              <input type="time" value={interval.open} aria-invalid={!!error} onChange={(e) => set(index, { open: e.target.value })} />
            </label>
            <span aria-hidden="true">–</span>
            <label>
              <span className="visually-hidden">{`${label} `}</span>
              {words.close}
              <input type="time" value={interval.close === '24:00' ? '23:59' : interval.close} aria-invalid={!!error} onChange={(e) => set(index, { close: e.target.value === '23:59' ? '24:00' : e.target.value })} />
            </label>
            <button type="button" className="secondary" aria-label={`${label} ${words.removeInterval}`} onClick={() => onChange(intervals.filter((_, i) => i !== index))}>
              {words.removeInterval}
            </button>
            {error && (
              <p className="field-error" role="alert">
                {error}
              </p>
            )}
          </div>
        );
      })}
      {(props.max === undefined || intervals.length < props.max) && (
        <button type="button" className="secondary" aria-label={`${name} ${words.addInterval}`} onClick={add}>
          {words.addInterval}
        </button>
      )}
    </div>
  );
}

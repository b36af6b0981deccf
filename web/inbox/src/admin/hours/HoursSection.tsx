import { useState } from 'react';
import { useText, useWords } from '../../i18n';
import { Field, FormSubmit, useServerForm } from '../../shared/forms';
import { GroupHoursSection } from './GroupHoursSection';
import { HoursCalendar } from './HoursCalendar';
import { HoursPreview } from './HoursPreview';
import { IntervalsEditor } from './IntervalsEditor';
import { WEEKDAYS, draftOf, hoursOf } from './hours-draft';
import type { HoursDraft } from './hours-draft';
import { useBusinessHours } from './useBusinessHours';
import type { BusinessHours } from './useBusinessHours';
import { hoursWords } from './words';
import './hours.css';

/** `/app/admin/hours`: the business hours, with what they mean now beside them, and each group's shift. */
export function HoursSection() {
  const text = useText();
  const words = useWords(hoursWords);
  const { team, save } = useBusinessHours();
  if (!team) return null;
  // The editor starts from the hours as the hub first answered them, and keeps its own draft from then on (a save
  // sends the draft, so the two agree after it).
  return (
    <>
      <HoursForm
        title={text.businessHours}
        initial={draftOf(team.settings.businessHours, team.timeZone)}
        save={save}
        field="settings.businessHours"
        editTimeZone
        withoutHours={{ label: words.alwaysOpen, hint: words.alwaysOpenHint }}
      />
      <GroupHoursSection timeZone={team.timeZone} />
    </>
  );
}

/** What an hours editor is given: whose hours (the team's, a group's), how they are saved, and where the hub names a refusal. */
export interface HoursFormProps {
  title: string;
  initial: HoursDraft;
  save: (hours: BusinessHours | null, timeZone: string) => Promise<void>;
  /** The request's field holding the hours, as the hub names it in a refusal. */
  field: string;
  /** The team's editor also sets its time zone; a group's hours are in the team's. */
  editTimeZone?: boolean;
  /** The switch for having no hours: the team is always open, a group follows the team's. */
  withoutHours: { label: string; hint: string };
}

/** Every IANA time zone the browser knows, and the team's own even if the browser does not list it (`UTC`). */
const timeZones = (current: string) => {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes(current) ? zones : [current, ...zones];
};

export function HoursForm({ title, initial, save, field, editTimeZone = false, withoutHours }: HoursFormProps) {
  const text = useText();
  const words = useWords(hoursWords);
  const [draft, setDraft] = useState(initial);
  const [saved, setSaved] = useState(false);
  const form = useServerForm<string>(['timeZone', field]);
  const { hours, rows } = hoursOf(draft);
  const edit = (next: HoursDraft) => {
    setDraft(next);
    setSaved(false);
  };
  const submit = form.handle(async () => {
    await save(hours, draft.timeZone);
    setSaved(true);
  });

  // The hub names a refused weekly interval by its index in what was sent; `rows` says which day and interval that is.
  const weeklyError = (day: string, index: number) => {
    const row = rows.findIndex((r) => r.day === day && r.index === index);
    return form.error(`${field}.weekly.${row}`);
  };
  const sentDates = hours ? { holidays: hours.holidays ?? [], exceptions: (hours.exceptions ?? []).map((e) => e.date) } : { holidays: [], exceptions: [] };
  const dateError = (date: string) =>
    form.error(`${field}.holidays.${sentDates.holidays.indexOf(date)}`) ?? form.error(`${field}.exceptions.${sentDates.exceptions.indexOf(date)}`);
  const rowErrorShown = rows.some((_, i) => form.error(`${field}.weekly.${i}`));
  const weekError = rowErrorShown ? undefined : form.error(`${field}.weekly`);
  // Any other refusal of the hours (a date in a month not on screen): said again by the button, where it is seen.
  const hoursError = rowErrorShown || weekError ? undefined : form.error(field);
  const copyMondayToWeekdays = () =>
    edit({ ...draft, week: { ...draft.week, ...Object.fromEntries(['tue', 'wed', 'thu', 'fri'].map((day) => [day, draft.week.mon.map((i) => ({ ...i }))])) } });

  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      <form onSubmit={submit} aria-label={title} noValidate className="hours-form">
        <HoursPreview hours={hours} timeZone={draft.timeZone} />
        {editTimeZone && (
          <Field form={form} name="timeZone" label={words.timeZone} hint={words.timeZoneHint}>
            {(control) => (
              <select {...control} value={draft.timeZone} onChange={(e) => edit({ ...draft, timeZone: e.target.value })}>
                {timeZones(draft.timeZone).map((zone) => (
                  <option key={zone} value={zone}>
                    {zone}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Switch id={`${field}-without-hint`} label={withoutHours.label} hint={withoutHours.hint} checked={draft.alwaysOpen} onChange={(on) => edit({ ...draft, alwaysOpen: on })} />
        {!draft.alwaysOpen && (
          <>
            <fieldset className="week">
              <legend>{words.week}</legend>
              <p className="hint">{words.weekHint}</p>
              {/* A refusal about the week as a whole (an interval closing before it opens) names `weekly` itself. */}
              {weekError && (
                <p className="field-error" role="alert">
                  {weekError}
                </p>
              )}
              {WEEKDAYS.map((day) => (
                <div key={day} className="weekday" role="group" aria-label={words.days[day]}>
                  <span className="weekday-name">{words.days[day]}</span>
                  <IntervalsEditor name={words.days[day]} intervals={draft.week[day]} onChange={(intervals) => edit({ ...draft, week: { ...draft.week, [day]: intervals } })} errorOf={(index) => weeklyError(day, index)} />
                </div>
              ))}
              <button type="button" className="secondary" onClick={copyMondayToWeekdays}>
                {words.copyToWeekdays}
              </button>
            </fieldset>
            <HoursCalendar draft={draft} onChange={edit} errorOf={dateError} />
            <Switch id={`${field}-national-holidays-hint`} label={words.nationalHolidays} hint={words.nationalHolidaysHint} checked={draft.nationalHolidays} onChange={(on) => edit({ ...draft, nationalHolidays: on })} />
            <Switch id={`${field}-switch-members-hint`} label={words.switchMembers} hint={words.switchMembersHint} checked={draft.switchMembers} onChange={(on) => edit({ ...draft, switchMembers: on })} />
          </>
        )}
        {hoursError && (
          <p className="field-error" role="alert">
            {hoursError}
          </p>
        )}
        <FormSubmit form={form} label={text.save} />
        {saved && <p role="status">{text.saved}</p>}
      </form>
    </section>
  );
}

/** A setting that is on or off, with a sentence under it saying what it does. */
function Switch(props: { id: string; label: string; hint: string; checked: boolean; onChange: (on: boolean) => void }) {
  return (
    <>
      <label className="check">
        <input type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.target.checked)} aria-describedby={props.id} /> {props.label}
      </label>
      <p id={props.id} className="hint">
        {props.hint}
      </p>
    </>
  );
}

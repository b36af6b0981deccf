import { useRef, useState } from 'react';
import { ApiError } from '../../api';
import { useText, useWords } from '../../i18n';
import { Field, FormRefusal, FormSubmit, useServerForm } from '../../shared/forms';
// The hub's own defaults and filling rule, so the preview is what the group will read.
import { DEFAULT_REPORT_TEXTS, fillReportText } from '../../../../../src/reports/report-texts';
import { useTeamSettings } from '../routing/useTeamSettings';
import type { SettingsFormProps } from '../routing/useTeamSettings';
import { useReportTargets } from './useReportTargets';
import { reportsWords } from './words';
import type { ReportPlaceholder } from './words';

/** `/app/admin/reports`: the texts posted to LINE groups, with a preview, and which group each kind goes to. */
export function ReportsSection() {
  const { settings, save } = useTeamSettings();
  return (
    <>
      {settings && <ReportTextsForm settings={settings} save={save} />}
      <ReportTargetsForm />
    </>
  );
}

type TextName = keyof typeof DEFAULT_REPORT_TEXTS;
const TEXT_NAMES = Object.keys(DEFAULT_REPORT_TEXTS) as TextName[];

function ReportTextsForm({ settings, save }: SettingsFormProps) {
  const words = useWords(reportsWords);
  const text = useText();
  const [texts, setTexts] = useState(() => Object.fromEntries(TEXT_NAMES.map((name) => [name, settings.reportTexts?.[name] ?? DEFAULT_REPORT_TEXTS[name]])) as Record<TextName, string>);
  const [shown, setShown] = useState<TextName>('taking');
  const [saved, setSaved] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const form = useServerForm(TEXT_NAMES.map((name) => `settings.reportTexts.${name}` as const));
  const placeholders = Object.keys(words.samples) as ReportPlaceholder[];

  const edit = (name: TextName, value: string) => {
    setTexts({ ...texts, [name]: value });
    setSaved(false);
  };
  /** Puts `{name}` where the cursor is in the shown text. */
  const insert = (placeholder: ReportPlaceholder) => {
    const current = texts[shown];
    const at = area.current?.selectionStart ?? current.length;
    edit(shown, `${current.slice(0, at)}{${placeholder}}${current.slice(at)}`);
    area.current?.focus();
  };
  const submit = form.handle(async () => {
    // A text left as the default is not stored: a later default change reaches the team.
    const changed = Object.fromEntries(TEXT_NAMES.filter((name) => texts[name] !== DEFAULT_REPORT_TEXTS[name]).map((name) => [name, texts[name]]));
    try {
      await save({ reportTexts: changed });
    } catch (error) {
      // The refusal names one text; show that one, where its sentence is drawn.
      const refused = error instanceof ApiError ? TEXT_NAMES.find((name) => Object.keys(error.fields).some((field) => field.startsWith(`settings.reportTexts.${name}`))) : undefined;
      if (refused) setShown(refused);
      throw error;
    }
    setSaved(true);
  });

  return (
    <section aria-label={words.reportTexts}>
      <h2>{words.reportTexts}</h2>
      <p className="hint">{words.reportTextsHint}</p>
      <form onSubmit={submit} aria-label={words.reportTexts} noValidate>
        <div className="tabs" role="tablist" aria-label={words.reportTexts}>
          {TEXT_NAMES.map((name) => (
            <button key={name} type="button" role="tab" aria-selected={shown === name} className={form.error(`settings.reportTexts.${name}`) ? 'invalid' : ''} onClick={() => setShown(name)}>
              {words.texts[name]}
            </button>
          ))}
        </div>
        <Field form={form} name={`settings.reportTexts.${shown}`} label={words.texts[shown]}>
          {(control) => <textarea {...control} ref={area} rows={5} value={texts[shown]} onChange={(e) => edit(shown, e.target.value)} />}
        </Field>
        <div className="placeholders" aria-label={words.placeholders} role="group">
          {placeholders.map((name) => (
            <button key={name} type="button" className="chip" onClick={() => insert(name)}>
              {`{${name}}`}
            </button>
          ))}
        </div>
        {texts[shown] !== DEFAULT_REPORT_TEXTS[shown] && (
          <button type="button" className="secondary" onClick={() => edit(shown, DEFAULT_REPORT_TEXTS[shown])}>
            {words.resetText}
          </button>
        )}
        <figure className="preview" aria-label={words.preview}>
          <figcaption>{words.preview}</figcaption>
          <pre>{fillReportText(texts[shown], words.samples)}</pre>
        </figure>
        <FormSubmit form={form} label={text.save} />
        {saved && <p role="status">{text.saved}</p>}
      </form>
    </section>
  );
}

/** The purposes the hub posts to by itself; others a team adds are kept for other sinks. */
const PURPOSES = ['callCenter', 'bookings'] as const;

function ReportTargetsForm() {
  const text = useText();
  const words = useWords(reportsWords);
  const { targets, groups, save } = useReportTargets();
  const form = useServerForm([] as const);

  const choose = (purpose: string, value: string) => {
    const next: Record<string, { channelId: string; groupId: string }> = Object.fromEntries(Object.entries(targets).map(([key, t]) => [key, { channelId: t.channelId, groupId: t.groupId }]));
    if (value) {
      const [channelId, groupId] = value.split('|');
      next[purpose] = { channelId, groupId };
    } else {
      delete next[purpose];
    }
    form.handle(() => save(next))();
  };

  return (
    <section aria-label={text.reportTargets}>
      <h2>{text.reportTargets}</h2>
      {groups.length === 0 && <p className="hint">{words.noGroups}</p>}
      <FormRefusal form={form} />
      {PURPOSES.map((purpose) => (
        <label key={purpose}>
          {words.purposes[purpose]}
          <select value={targets[purpose] ? `${targets[purpose].channelId}|${targets[purpose].groupId}` : ''} onChange={(e) => choose(purpose, e.target.value)}>
            <option value="">—</option>
            {groups
              .filter((g) => g.status === 'active' || targets[purpose]?.groupId === g.groupId)
              .map((g) => (
                <option key={`${g.channelId}|${g.groupId}`} value={`${g.channelId}|${g.groupId}`}>
                  {g.name ?? g.groupId} {g.status === 'gone' ? words.gone : ''}
                </option>
              ))}
          </select>
        </label>
      ))}
    </section>
  );
}

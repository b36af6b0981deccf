import { useState } from 'react';
import { useText, useWords } from '../../i18n';
import { Field, FormSubmit, useServerForm } from '../../shared/forms';
import { GroupOrderCard } from './GroupOrderCard';
import { numberOrOff, typedNumber, useTeamSettings } from './useTeamSettings';
import type { SettingsFormProps } from './useTeamSettings';
import { routingWords } from './words';

/** `/app/admin/routing`: how new chats are offered to members (and to groups, in order), and who is credited with a sale. */
export function RoutingSection() {
  const { settings, save } = useTeamSettings();
  if (!settings) return null;
  return (
    <>
      <RoutingSettingsForm settings={settings} save={save} />
      <GroupOrderCard />
      <AttributionForm settings={settings} save={save} />
    </>
  );
}

const text = (value: number | null | undefined) => (value === null || value === undefined ? '' : String(value));

function RoutingSettingsForm({ settings, save }: SettingsFormProps) {
  const words = useWords(routingWords);
  const common = useText();
  const [draft, setDraft] = useState({
    offerFanout: text(settings.offerFanout),
    offerTimeoutSeconds: text(settings.offerTimeoutSeconds),
    waves: settings.offerWaves !== null,
    waveSize: text(settings.offerWaves?.size ?? 2),
    waveEvery: text(settings.offerWaves?.everySeconds ?? 30),
    stickyRouting: settings.stickyRouting,
    ignoredOffersBeforeBreak: text(settings.ignoredOffersBeforeBreak),
    slowReplySeconds: text(settings.slowReplySeconds),
    presenceGraceSeconds: text(settings.presenceGraceSeconds),
    defaultCapacity: text(settings.defaultCapacity),
  });
  const [saved, setSaved] = useState(false);
  const form = useServerForm([
    'settings.offerFanout',
    'settings.offerTimeoutSeconds',
    'settings.offerWaves.size',
    'settings.offerWaves.everySeconds',
    'settings.stickyRouting',
    'settings.ignoredOffersBeforeBreak',
    'settings.slowReplySeconds',
    'settings.presenceGraceSeconds',
    'settings.defaultCapacity',
  ] as const);
  const edit = (patch: Partial<typeof draft>) => {
    setDraft({ ...draft, ...patch });
    setSaved(false);
  };
  const submit = form.handle(async () => {
    await save({
      offerFanout: typedNumber(draft.offerFanout),
      offerTimeoutSeconds: typedNumber(draft.offerTimeoutSeconds),
      offerWaves: draft.waves ? { size: typedNumber(draft.waveSize), everySeconds: typedNumber(draft.waveEvery) } : null,
      stickyRouting: draft.stickyRouting,
      ignoredOffersBeforeBreak: typedNumber(draft.ignoredOffersBeforeBreak),
      slowReplySeconds: numberOrOff(draft.slowReplySeconds),
      presenceGraceSeconds: typedNumber(draft.presenceGraceSeconds),
      defaultCapacity: typedNumber(draft.defaultCapacity),
    });
    setSaved(true);
  });
  const number = (key: keyof typeof draft) => ({ type: 'number', inputMode: 'numeric' as const, value: String(draft[key]), onChange: (e: { target: { value: string } }) => edit({ [key]: e.target.value }) });

  return (
    <section aria-label={words.routingSettings}>
      <h2>{words.routingSettings}</h2>
      <form onSubmit={submit} aria-label={words.routingSettings} noValidate>
        <Field form={form} name="settings.offerFanout" label={words.offerFanout} hint={words.offerFanoutHint}>
          {(control) => <input {...control} {...number('offerFanout')} />}
        </Field>
        <Field form={form} name="settings.offerTimeoutSeconds" label={words.offerTimeout} hint={words.offerTimeoutHint}>
          {(control) => <input {...control} {...number('offerTimeoutSeconds')} />}
        </Field>
        <label className="check">
          <input type="checkbox" checked={draft.waves} onChange={(e) => edit({ waves: e.target.checked })} /> {words.waves}
        </label>
        {draft.waves && (
          <div className="inline-fields">
            <Field form={form} name="settings.offerWaves.size" label={words.waveSize}>
              {(control) => <input {...control} {...number('waveSize')} />}
            </Field>
            <Field form={form} name="settings.offerWaves.everySeconds" label={words.waveEvery}>
              {(control) => <input {...control} {...number('waveEvery')} />}
            </Field>
          </div>
        )}
        <label className="check">
          <input type="checkbox" checked={draft.stickyRouting} onChange={(e) => edit({ stickyRouting: e.target.checked })} /> {words.sticky}
        </label>
        <Field form={form} name="settings.ignoredOffersBeforeBreak" label={words.ignoredOffers} hint={words.ignoredOffersHint}>
          {(control) => <input {...control} {...number('ignoredOffersBeforeBreak')} />}
        </Field>
        <Field form={form} name="settings.slowReplySeconds" label={words.slowReply} hint={words.slowReplyHint}>
          {(control) => <input {...control} {...number('slowReplySeconds')} />}
        </Field>
        <Field form={form} name="settings.presenceGraceSeconds" label={words.presenceGrace} hint={words.presenceGraceHint}>
          {(control) => <input {...control} {...number('presenceGraceSeconds')} />}
        </Field>
        <Field form={form} name="settings.defaultCapacity" label={words.defaultCapacity} hint={words.defaultCapacityHint}>
          {(control) => <input {...control} {...number('defaultCapacity')} />}
        </Field>
        <FormSubmit form={form} label={common.save} />
        {saved && <p role="status">{common.saved}</p>}
      </form>
    </section>
  );
}

function AttributionForm({ settings, save }: SettingsFormProps) {
  const words = useWords(routingWords);
  const common = useText();
  const [days, setDays] = useState(text(settings.attributionWindowDays));
  const [model, setModel] = useState(settings.attributionModel);
  const [saved, setSaved] = useState(false);
  const form = useServerForm(['settings.attributionWindowDays', 'settings.attributionModel'] as const);
  const submit = form.handle(async () => {
    await save({ attributionWindowDays: typedNumber(days), attributionModel: model });
    setSaved(true);
  });
  return (
    <section aria-label={words.attribution}>
      <h2>{words.attribution}</h2>
      <form onSubmit={submit} aria-label={words.attribution} noValidate>
        <Field form={form} name="settings.attributionWindowDays" label={words.attributionWindow} hint={words.attributionWindowHint}>
          {(control) => <input {...control} type="number" inputMode="numeric" value={days} onChange={(e) => { setDays(e.target.value); setSaved(false); }} />}
        </Field>
        <Field form={form} name="settings.attributionModel" label={words.attributionModel}>
          {(control) => (
            <select {...control} value={model} onChange={(e) => { setModel(e.target.value as typeof model); setSaved(false); }}>
              <option value="last_touch">{words.lastTouch}</option>
              <option value="first_touch">{words.firstTouch}</option>
            </select>
          )}
        </Field>
        <FormSubmit form={form} label={common.save} />
        {saved && <p role="status">{common.saved}</p>}
      </form>
    </section>
  );
}

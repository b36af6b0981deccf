import { useState } from 'react';
import { useText, useWords } from '../../i18n';
import { Field, FormSubmit, useServerForm } from '../../shared/forms';
import type { FieldControl, ServerForm } from '../../shared/forms';
import { useTeamSettings } from '../routing/useTeamSettings';
import type { SettingsFormProps } from '../routing/useTeamSettings';
// The hub's own default lists (a module without dependencies), shown while the team has none of its own.
import { DEFAULT_CONSENT_KEYWORDS } from '../../../../../src/contacts/consent.keywords';
import { CannedRepliesForm } from './CannedRepliesForm';
import { repliesWords } from './words';

/** `/app/admin/replies`: what the hub answers by itself (away, keywords, the rating question), and the canned replies. */
export function RepliesSection() {
  const { settings, save } = useTeamSettings();
  return (
    <>
      {settings && (
        <>
          <AwayRepliesForm settings={settings} save={save} />
          <ConsentForm settings={settings} save={save} />
          <RatingForm settings={settings} save={save} />
        </>
      )}
      <CannedRepliesForm />
    </>
  );
}

/**
 * A reply the hub sends by itself: a text (blank: the hub's default) and, where the setting allows null, "don't send".
 * Absent and null differ on the hub (default text vs. none), so the two are separate controls.
 */
interface ReplyDraft {
  text: string;
  off: boolean;
}
const replyDraft = (value: string | null | undefined): ReplyDraft => ({ text: value ?? '', off: value === null });
const replyValue = (draft: ReplyDraft): string | null | undefined => (draft.off ? null : draft.text.trim() === '' ? undefined : draft.text);

function ReplyField<F extends string>(props: { form: ServerForm<F>; name: F; label: string; hint: string; draft: ReplyDraft; onChange: (draft: ReplyDraft) => void; canSwitchOff?: boolean }) {
  const words = useWords(repliesWords);
  const { draft, onChange } = props;
  return (
    <>
      <Field form={props.form} name={props.name} label={props.label} hint={props.hint}>
        {(control: FieldControl) => <textarea {...control} rows={3} disabled={draft.off} value={draft.text} onChange={(e) => onChange({ ...draft, text: e.target.value })} />}
      </Field>
      {props.canSwitchOff !== false && (
        <label className="check">
          <input type="checkbox" checked={draft.off} onChange={(e) => onChange({ ...draft, off: e.target.checked })} /> {words.dontSend}: {props.label}
        </label>
      )}
    </>
  );
}

function AwayRepliesForm({ settings, save }: SettingsFormProps) {
  const words = useWords(repliesWords);
  const text = useText();
  const [closed, setClosed] = useState(replyDraft(settings.awayReplies?.closed));
  const [unavailable, setUnavailable] = useState(replyDraft(settings.awayReplies?.unavailable));
  const [saved, setSaved] = useState(false);
  const form = useServerForm(['settings.awayReplies.closed', 'settings.awayReplies.unavailable'] as const);
  const submit = form.handle(async () => {
    await save({ awayReplies: { closed: replyValue(closed), unavailable: replyValue(unavailable) } });
    setSaved(true);
  });
  return (
    <section aria-label={words.awayReplies}>
      <h2>{words.awayReplies}</h2>
      <form onSubmit={submit} aria-label={words.awayReplies} noValidate>
        <ReplyField form={form} name="settings.awayReplies.closed" label={words.awayClosed} hint={words.awayClosedHint} draft={closed} onChange={(d) => (setClosed(d), setSaved(false))} />
        <ReplyField form={form} name="settings.awayReplies.unavailable" label={words.awayUnavailable} hint={words.blankIsDefault} draft={unavailable} onChange={(d) => (setUnavailable(d), setSaved(false))} />
        <FormSubmit form={form} label={text.save} />
        {saved && <p role="status">{text.saved}</p>}
      </form>
    </section>
  );
}

const KEYWORD_LISTS = ['optOut', 'optIn', 'help'] as const;
const lines = (list: string[] | undefined) => (list ?? []).join('\n');
const listOf = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

function ConsentForm({ settings, save }: SettingsFormProps) {
  const words = useWords(repliesWords);
  const text = useText();
  // A team without lists of its own is shown the hub's defaults, so the page shows what the hub answers to.
  const active = settings.consentKeywords ?? DEFAULT_CONSENT_KEYWORDS;
  const [keywords, setKeywords] = useState({ optOut: lines(active.optOut), optIn: lines(active.optIn), help: lines(active.help) });
  const [help, setHelp] = useState(replyDraft(settings.consentReplies?.help));
  const [optOut, setOptOut] = useState(replyDraft(settings.consentReplies?.optOut));
  const [optIn, setOptIn] = useState(replyDraft(settings.consentReplies?.optIn));
  const [saved, setSaved] = useState(false);
  const form = useServerForm([
    'settings.consentKeywords.optOut',
    'settings.consentKeywords.optIn',
    'settings.consentKeywords.help',
    'settings.consentReplies.help',
    'settings.consentReplies.optOut',
    'settings.consentReplies.optIn',
  ] as const);
  const labels = { optOut: words.optOutKeywords, optIn: words.optInKeywords, help: words.helpKeywords };
  const changed = () => setSaved(false);

  const submit = form.handle(async () => {
    const lists = { optOut: listOf(keywords.optOut), optIn: listOf(keywords.optIn), help: listOf(keywords.help) };
    // The lists as shown unchanged from the defaults are not stored: a later change of the defaults reaches the team.
    const asDefaults = KEYWORD_LISTS.every((name) => lines(lists[name]) === lines(DEFAULT_CONSENT_KEYWORDS[name]));
    await save({
      ...(asDefaults && !settings.consentKeywords ? {} : { consentKeywords: lists }),
      consentReplies: { help: replyValue(help) ?? undefined, optOut: replyValue(optOut), optIn: replyValue(optIn) },
    });
    setSaved(true);
  });

  return (
    <section aria-label={words.consent}>
      <h2>{words.consent}</h2>
      <form onSubmit={submit} aria-label={words.consent} noValidate>
        <p className="hint">{words.consentHint}</p>
        <div className="inline-fields">
          {KEYWORD_LISTS.map((name) => (
            <Field key={name} form={form} name={`settings.consentKeywords.${name}`} label={labels[name]}>
              {(control) => <textarea {...control} rows={4} value={keywords[name]} onChange={(e) => (setKeywords({ ...keywords, [name]: e.target.value }), changed())} />}
            </Field>
          ))}
        </div>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setKeywords({ optOut: lines(DEFAULT_CONSENT_KEYWORDS.optOut), optIn: lines(DEFAULT_CONSENT_KEYWORDS.optIn), help: lines(DEFAULT_CONSENT_KEYWORDS.help) });
            changed();
          }}
        >
          {words.defaultKeywords}
        </button>
        <ReplyField form={form} name="settings.consentReplies.help" label={words.helpReply} hint={words.teamNameHint} draft={help} onChange={(d) => (setHelp(d), changed())} canSwitchOff={false} />
        <ReplyField form={form} name="settings.consentReplies.optOut" label={words.optOutReply} hint={words.teamNameHint} draft={optOut} onChange={(d) => (setOptOut(d), changed())} />
        <ReplyField form={form} name="settings.consentReplies.optIn" label={words.optInReply} hint={words.teamNameHint} draft={optIn} onChange={(d) => (setOptIn(d), changed())} />
        <FormSubmit form={form} label={text.save} />
        {saved && <p role="status">{text.saved}</p>}
      </form>
    </section>
  );
}

function RatingForm({ settings, save }: SettingsFormProps) {
  const words = useWords(repliesWords);
  const text = useText();
  const [question, setQuestion] = useState(settings.ratingQuestion);
  const [saved, setSaved] = useState(false);
  const form = useServerForm(['settings.ratingQuestion'] as const);
  const submit = form.handle(async () => {
    await save({ ratingQuestion: question });
    setSaved(true);
  });
  return (
    <section aria-label={words.rating}>
      <h2>{words.rating}</h2>
      <form onSubmit={submit} aria-label={words.rating} noValidate>
        <Field form={form} name="settings.ratingQuestion" label={words.ratingQuestion} hint={words.ratingHint}>
          {(control) => <textarea {...control} rows={2} value={question} onChange={(e) => (setQuestion(e.target.value), setSaved(false))} />}
        </Field>
        <FormSubmit form={form} label={text.save} />
        {saved && <p role="status">{text.saved}</p>}
      </form>
    </section>
  );
}

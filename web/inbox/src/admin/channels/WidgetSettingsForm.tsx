import { useState } from 'react';
import { useWords } from '../../i18n';
import { Field, FormSubmit, useServerForm } from '../../shared/forms';
import { CopyButton } from './CopyButton';
import type { Channel, ChannelChange } from './useChannels';
import { channelsWords } from './words';

interface IntakeStep {
  key: string;
  kind: 'buttons' | 'text';
  question: string;
  options?: Array<{ label: string; next?: string; groupId?: string }>;
}

interface Appearance {
  color?: string;
  position?: 'right' | 'left';
  launcherText?: string;
  showOn?: string[];
  hideOn?: string[];
}

interface WidgetConfig {
  greeting?: string;
  consentText?: string;
  allowedOrigins?: string[];
  preChat?: { question: string; options: string[] };
  intake?: { steps: IntakeStep[] } | null;
  requireConsent?: boolean;
  appearance?: Appearance | null;
}

const DEFAULT_COLOR = '#0b5cad';

/** The intake as typed: JSON, or nothing (blank); what does not parse is said before anything is sent. */
function readIntake(typed: string): { steps: IntakeStep[] } | null | 'unreadable' {
  if (!typed.trim()) return null;
  try {
    const value = JSON.parse(typed) as unknown;
    return typeof value === 'object' && value !== null && Array.isArray((value as { steps?: unknown }).steps) ? (value as { steps: IntakeStep[] }) : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

const lines = (text: string) => text.split('\n').map((line) => line.trim()).filter(Boolean);

/**
 * A web chat's greeting, data notice, first question with its quick replies and allowed sites, with a preview of
 * what a visitor sees as it is typed, and the snippet to paste into the site.
 */
export function WidgetSettingsForm({ channel, onSave }: { channel: Channel; onSave: (change: ChannelChange) => Promise<void> }) {
  const words = useWords(channelsWords);
  const config = channel.config as WidgetConfig;
  const [greeting, setGreeting] = useState(config.greeting ?? '');
  const [consentText, setConsentText] = useState(config.consentText ?? '');
  const [question, setQuestion] = useState(config.preChat?.question ?? '');
  const [options, setOptions] = useState((config.preChat?.options ?? []).join('\n'));
  const [allowedOrigins, setAllowedOrigins] = useState((config.allowedOrigins ?? []).join('\n'));
  const [intake, setIntake] = useState(config.intake ? JSON.stringify(config.intake, null, 2) : '');
  const [requireConsent, setRequireConsent] = useState(config.requireConsent === true);
  const [color, setColor] = useState(config.appearance?.color ?? DEFAULT_COLOR);
  const [position, setPosition] = useState<'right' | 'left'>(config.appearance?.position ?? 'right');
  const [launcherText, setLauncherText] = useState(config.appearance?.launcherText ?? '');
  const [showOn, setShowOn] = useState((config.appearance?.showOn ?? []).join('\n'));
  const [hideOn, setHideOn] = useState((config.appearance?.hideOn ?? []).join('\n'));
  const [unreadable, setUnreadable] = useState(false);
  const [saved, setSaved] = useState(false);
  const form = useServerForm(['config.greeting', 'config.consentText', 'config.preChat', 'config.allowedOrigins', 'config.intake', 'config.appearance'] as const);
  const typedIntake = readIntake(intake);
  const snippet = `<script src="${location.origin}/widget.js" data-channel="${channel.id}"></script>`;

  const submit = form.handle(async () => {
    setSaved(false);
    // The hub merges the config: a blank is sent as what it means (no greeting, any site), not left out.
    if (typedIntake === 'unreadable') {
      setUnreadable(true);
      return;
    }
    setUnreadable(false);
    const appearance: Appearance = { position, showOn: lines(showOn), hideOn: lines(hideOn) };
    if (color.toLowerCase() !== DEFAULT_COLOR) appearance.color = color;
    if (launcherText.trim()) appearance.launcherText = launcherText.trim();
    const next: ChannelChange['config'] = { greeting, allowedOrigins: lines(allowedOrigins), intake: typedIntake, requireConsent, appearance };
    if (consentText.trim()) next.consentText = consentText;
    if (question.trim() || lines(options).length > 0) next.preChat = { question, options: lines(options) };
    await onSave({ config: next });
    setSaved(true);
  });

  return (
    <div className="widget-settings">
      <form onSubmit={submit} aria-label={words.widget} noValidate>
        <h4>{words.widget}</h4>
        <Field scope={channel.id} form={form} name="config.greeting" label={words.greeting} hint={words.greetingHint}>
          {(control) => <textarea {...control} rows={2} value={greeting} onChange={(e) => setGreeting(e.target.value)} />}
        </Field>
        <Field scope={channel.id} form={form} name="config.consentText" label={words.consentText} hint={words.consentTextHint}>
          {(control) => <textarea {...control} rows={3} value={consentText} onChange={(e) => setConsentText(e.target.value)} />}
        </Field>
        <Field scope={channel.id} form={form} name="config.preChat" label={words.preChatQuestion} hint={words.preChatQuestionHint}>
          {(control) => <input {...control} value={question} onChange={(e) => setQuestion(e.target.value)} />}
        </Field>
        <label>
          {words.preChatOptions}
          <textarea rows={3} value={options} onChange={(e) => setOptions(e.target.value)} />
        </label>
        <Field scope={channel.id} form={form} name="config.intake" label={words.intake} hint={words.intakeHint}>
          {(control) => <textarea {...control} rows={8} className="code" spellCheck={false} value={intake} onChange={(e) => setIntake(e.target.value)} />}
        </Field>
        {unreadable && (
          <p role="alert" className="failure">
            {words.intakeUnreadable}
          </p>
        )}
        <label>
          <input type="checkbox" checked={requireConsent} onChange={(e) => setRequireConsent(e.target.checked)} /> {words.requireConsent}
        </label>
        <fieldset>
          <legend>{words.appearance}</legend>
          <label>
            {words.color} <input type="color" value={color} onChange={(e) => setColor(e.target.value)} />
          </label>
          <label>
            {words.position}
            <select value={position} onChange={(e) => setPosition(e.target.value as 'right' | 'left')}>
              <option value="right">{words.positionRight}</option>
              <option value="left">{words.positionLeft}</option>
            </select>
          </label>
          <Field scope={channel.id} form={form} name="config.appearance" label={words.launcherText} hint={words.launcherTextHint}>
            {(control) => <input {...control} value={launcherText} onChange={(e) => setLauncherText(e.target.value)} />}
          </Field>
          <label>
            {words.showOn}
            <textarea rows={2} value={showOn} onChange={(e) => setShowOn(e.target.value)} placeholder="https://shop.example.jp/*" />
          </label>
          <label>
            {words.hideOn}
            <textarea rows={2} value={hideOn} onChange={(e) => setHideOn(e.target.value)} placeholder="*/checkout*" />
          </label>
        </fieldset>
        <Field scope={channel.id} form={form} name="config.allowedOrigins" label={words.allowedOrigins} hint={words.allowedOriginsHint}>
          {(control) => <textarea {...control} rows={2} value={allowedOrigins} onChange={(e) => setAllowedOrigins(e.target.value)} />}
        </Field>
        <div className="actions">
          <FormSubmit form={form} label={words.save} />
          {saved && <span role="status">{words.saved}</span>}
        </div>
      </form>
      <WidgetPreview
        greeting={greeting}
        consentText={consentText}
        question={typedIntake && typedIntake !== 'unreadable' ? (typedIntake.steps[0]?.question ?? '') : question}
        options={typedIntake && typedIntake !== 'unreadable' ? (typedIntake.steps[0]?.options ?? []).map((o) => o.label) : lines(options)}
        color={color}
        position={position}
        launcherText={launcherText.trim()}
      />
      <p>
        <strong>{words.snippet}</strong>
      </p>
      <code className="embed">{snippet}</code> <CopyButton text={snippet} label={words.snippet} />
    </div>
  );
}

/** What a visitor sees when the widget opens, drawn from the words being typed (not the saved ones). */
function WidgetPreview(props: { greeting: string; consentText: string; question: string; options: string[]; color: string; position: 'right' | 'left'; launcherText: string }) {
  const words = useWords(channelsWords);
  return (
    <figure className="widget-preview" role="region" aria-label={words.preview} style={{ border: '1px solid var(--line)', borderRadius: 12, padding: 12, maxWidth: 320, margin: '8px 0' }}>
      <figcaption className="hint">{words.preview}</figcaption>
      <div style={{ background: props.color, color: '#fff', borderRadius: '10px 10px 0 0', padding: '6px 10px', fontWeight: 600 }}>{words.previewTitle}</div>
      {props.greeting && <p style={{ background: '#eef2f7', borderRadius: 10, padding: '6px 10px' }}>{props.greeting}</p>}
      <p className="hint">
        <input type="checkbox" disabled aria-label={words.previewAgree} /> {props.consentText || words.previewDefaultConsent}
      </p>
      {props.question && <p style={{ background: '#eef2f7', borderRadius: 10, padding: '6px 10px' }}>{props.question}</p>}
      <div className="actions">
        {props.options.map((option) => (
          <span key={option} style={{ border: `1px solid ${props.color}`, color: props.color, borderRadius: 14, padding: '2px 10px' }}>
            {option}
          </span>
        ))}
      </div>
      <div style={{ display: 'flex', justifyContent: props.position === 'left' ? 'flex-start' : 'flex-end', marginTop: 8 }}>
        <span
          data-testid="launcher-preview"
          aria-label={words.previewLauncher}
          style={{ background: props.color, color: '#fff', borderRadius: 28, padding: props.launcherText ? '8px 16px' : '8px 12px', fontWeight: 600 }}
        >
          💬{props.launcherText ? ` ${props.launcherText}` : ''}
        </span>
      </div>
    </figure>
  );
}

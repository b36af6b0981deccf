import { useState } from 'react';
import { useWords } from '../../i18n';
import { Field, FormSubmit, useServerForm } from '../../shared/forms';
import { CopyButton } from './CopyButton';
import type { Channel, ChannelChange } from './useChannels';
import { channelsWords } from './words';

interface WidgetConfig {
  greeting?: string;
  consentText?: string;
  allowedOrigins?: string[];
  preChat?: { question: string; options: string[] };
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
  const [saved, setSaved] = useState(false);
  const form = useServerForm(['config.greeting', 'config.consentText', 'config.preChat', 'config.allowedOrigins'] as const);
  const snippet = `<script src="${location.origin}/widget.js" data-channel="${channel.id}"></script>`;

  const submit = form.handle(async () => {
    setSaved(false);
    // The hub merges the config: a blank is sent as what it means (no greeting, any site), not left out.
    const next: ChannelChange['config'] = { greeting, allowedOrigins: lines(allowedOrigins) };
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
        <Field scope={channel.id} form={form} name="config.allowedOrigins" label={words.allowedOrigins} hint={words.allowedOriginsHint}>
          {(control) => <textarea {...control} rows={2} value={allowedOrigins} onChange={(e) => setAllowedOrigins(e.target.value)} />}
        </Field>
        <div className="actions">
          <FormSubmit form={form} label={words.save} />
          {saved && <span role="status">{words.saved}</span>}
        </div>
      </form>
      <WidgetPreview greeting={greeting} consentText={consentText} question={question} options={lines(options)} />
      <p>
        <strong>{words.snippet}</strong>
      </p>
      <code className="embed">{snippet}</code> <CopyButton text={snippet} label={words.snippet} />
    </div>
  );
}

/** What a visitor sees when the widget opens, drawn from the words being typed (not the saved ones). */
function WidgetPreview(props: { greeting: string; consentText: string; question: string; options: string[] }) {
  const words = useWords(channelsWords);
  return (
    <figure className="widget-preview" role="region" aria-label={words.preview} style={{ border: '1px solid var(--line)', borderRadius: 12, padding: 12, maxWidth: 320, margin: '8px 0' }}>
      <figcaption className="hint">{words.preview}</figcaption>
      {props.greeting && <p style={{ background: '#eef2f7', borderRadius: 10, padding: '6px 10px' }}>{props.greeting}</p>}
      <p className="hint">
        <input type="checkbox" disabled aria-label={words.previewAgree} /> {props.consentText || words.previewDefaultConsent}
      </p>
      {props.question && <p style={{ background: '#eef2f7', borderRadius: 10, padding: '6px 10px' }}>{props.question}</p>}
      <div className="actions">
        {props.options.map((option) => (
          <span key={option} style={{ border: '1px solid var(--brand)', color: 'var(--brand)', borderRadius: 14, padding: '2px 10px' }}>
            {option}
          </span>
        ))}
      </div>
    </figure>
  );
}

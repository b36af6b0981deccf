import { useState } from 'react';
import { useWords } from '../../i18n';
import { FormSubmit, useServerForm } from '../../shared/forms';
import type { Channel, ChannelChange } from './useChannels';
import { channelsWords } from './words';

interface TemplateDraft {
  name: string;
  language: string;
  variables: string;
  text: string;
}

function draftsOf(channel: Channel): TemplateDraft[] {
  const stored = Array.isArray(channel.config.templates) ? (channel.config.templates as { name?: string; language?: string; variables?: string[]; text?: string }[]) : [];
  return stored.map((t) => ({ name: t.name ?? '', language: t.language ?? '', variables: (t.variables ?? []).join(', '), text: t.text ?? '' }));
}

/** A WhatsApp Cloud number's approved templates, as the composer offers them once the 24-hour window has closed. */
export function TemplatesForm({ channel, onSave }: { channel: Channel; onSave: (change: ChannelChange) => Promise<void> }) {
  const words = useWords(channelsWords);
  const [drafts, setDrafts] = useState(() => draftsOf(channel));
  const form = useServerForm(['config.templates'] as const);
  const [saved, setSaved] = useState(false);
  const edit = (index: number, change: Partial<TemplateDraft>) => setDrafts((all) => all.map((d, i) => (i === index ? { ...d, ...change } : d)));

  const submit = form.handle(async () => {
    setSaved(false);
    const templates = drafts.map((d) => ({
      name: d.name.trim(),
      language: d.language.trim(),
      variables: d.variables.split(',').map((v) => v.trim()).filter(Boolean),
      ...(d.text.trim() ? { text: d.text } : {}),
    }));
    await onSave({ config: { templates } });
    setSaved(true);
  });

  return (
    <form onSubmit={submit} aria-label={words.templates} noValidate>
      <h4>{words.templates}</h4>
      <p className="hint">{words.templatesHint}</p>
      {drafts.length === 0 && <p>{words.noTemplates}</p>}
      {drafts.map((draft, index) => (
        <fieldset key={index} className="inline-fields">
          <label>
            {words.templateName}
            <input value={draft.name} onChange={(e) => edit(index, { name: e.target.value })} />
          </label>
          <label>
            {words.templateLanguage}
            <input value={draft.language} placeholder="ja" onChange={(e) => edit(index, { language: e.target.value })} />
          </label>
          <label>
            {words.templateVariables}
            <input value={draft.variables} onChange={(e) => edit(index, { variables: e.target.value })} />
          </label>
          <label>
            {words.templateText}
            <textarea value={draft.text} rows={2} onChange={(e) => edit(index, { text: e.target.value })} />
          </label>
          <button type="button" className="secondary" onClick={() => setDrafts((all) => all.filter((_, i) => i !== index))}>
            {words.removeTemplate}
          </button>
        </fieldset>
      ))}
      {/* The hub names a template's mistake as config.templates.N.field: it shows here, under the list. */}
      {form.error('config.templates') && (
        <p className="field-error" role="alert">
          {form.error('config.templates')}
        </p>
      )}
      <div className="actions">
        <button type="button" className="secondary" onClick={() => setDrafts((all) => [...all, { name: '', language: 'ja', variables: '', text: '' }])}>
          {words.addTemplate}
        </button>
        <FormSubmit form={form} label={words.save} />
        {saved && <span role="status">{words.saved}</span>}
      </div>
    </form>
  );
}

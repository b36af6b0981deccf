import { useState } from 'react';
import { useText } from '../../i18n';
import { Field, FormSubmit, useServerForm } from '../../shared/forms';
import type { Channel } from './useChannels';

/** A web chat's greeting, data notice and allowed sites; the hub's refusal shows under the field it names. */
export function WidgetSettingsForm({ channel, onSave }: { channel: Channel; onSave: (config: { greeting: string; consentText?: string; allowedOrigins: string[] }) => Promise<void> }) {
  const text = useText();
  const config = channel.config as { greeting?: string; consentText?: string; allowedOrigins?: string[] };
  const [greeting, setGreeting] = useState(config.greeting ?? '');
  const [consentText, setConsentText] = useState(config.consentText ?? '');
  const [allowedOrigins, setAllowedOrigins] = useState((config.allowedOrigins ?? []).join('\n'));
  const form = useServerForm(['config.greeting', 'config.consentText', 'config.allowedOrigins'] as const);

  const submit = form.handle(() => onSave({ greeting, consentText: consentText || undefined, allowedOrigins: allowedOrigins.split(/\s+/).filter(Boolean) }));

  return (
    <form onSubmit={submit} aria-label={text.widgetSettings}>
      <Field scope={channel.id} form={form} name="config.greeting" label={text.greeting}>
        {(control) => <input {...control} value={greeting} onChange={(e) => setGreeting(e.target.value)} />}
      </Field>
      <Field scope={channel.id} form={form} name="config.consentText" label={text.consentText}>
        {(control) => <textarea {...control} value={consentText} onChange={(e) => setConsentText(e.target.value)} />}
      </Field>
      <Field scope={channel.id} form={form} name="config.allowedOrigins" label={text.allowedOrigins}>
        {(control) => <textarea {...control} value={allowedOrigins} onChange={(e) => setAllowedOrigins(e.target.value)} />}
      </Field>
      <FormSubmit form={form} label={text.save} />
    </form>
  );
}

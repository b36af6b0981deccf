import { useState } from 'react';
import { fill, useWords } from '../../i18n';
import { Field, FormSubmit, useServerForm } from '../../shared/forms';
import type { ServerForm } from '../../shared/forms';
import { configOf, hintOf, randomToken } from './channelKinds';
import type { ChannelKind, ConfigField } from './channelKinds';
import type { Channel, ChannelChange, NewChannel } from './useChannels';
import { channelsWords } from './words';

/** The values a stored channel shows back: its settings; its secrets stay blank (the hub never returns them). */
function storedValues(kind: ChannelKind, channel: Channel | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of kind.fields) {
    const value = channel?.config[field.key];
    values[field.key] = field.input !== 'secret' && (typeof value === 'string' || typeof value === 'number') ? String(value) : '';
  }
  return values;
}

/**
 * Adds a channel of one kind, or edits one: the fields its provider needs, each with where to find it in the
 * provider's console. The hub checks the config with the provider's schema and its refusal shows under the field.
 */
export function ChannelForm(props: {
  kind: ChannelKind;
  channel?: Channel;
  onCreate?: (body: NewChannel) => Promise<unknown>;
  onUpdate?: (body: ChannelChange) => Promise<unknown>;
  onDone: () => void;
}) {
  const { kind, channel } = props;
  const words = useWords(channelsWords);
  const [name, setName] = useState(channel?.name ?? '');
  const [values, setValues] = useState(() => storedValues(kind, channel));
  const form = useServerForm(['name', 'type', 'provider', ...kind.fields.map((f) => `config.${f.key}`)]);
  const scope = channel?.id ?? `new-${kind.id}`;
  const label = words.kinds[kind.id];

  const submit = form.handle(async () => {
    const config = configOf(kind, values);
    if (channel) await props.onUpdate?.({ name, config });
    else await props.onCreate?.({ type: kind.type, provider: kind.provider, name, config });
    props.onDone();
  });

  const basic = kind.fields.filter((f) => !f.advanced);
  const advanced = kind.fields.filter((f) => f.advanced);
  const draw = (field: ConfigField) => (
    <ConfigInput key={field.key} form={form} scope={scope} kind={kind} field={field} stored={channel?.secretsSet.includes(field.key) ?? false} value={values[field.key] ?? ''} onChange={(value) => setValues((v) => ({ ...v, [field.key]: value }))} />
  );

  return (
    <form onSubmit={submit} aria-label={channel ? `${words.edit}: ${channel.name}` : fill(words.addTitle, { kind: label })} noValidate className="channel-form">
      {!channel && <h3>{fill(words.addTitle, { kind: label })}</h3>}
      <Field scope={scope} form={form} name="name" label={words.name} hint={words.nameHint}>
        {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} aria-required />}
      </Field>
      {basic.map(draw)}
      {advanced.length > 0 && (
        // Open when the hub refused one of them, so its sentence is seen.
        <details open={advanced.some((f) => form.error(`config.${f.key}`) !== undefined) || undefined}>
          <summary>{words.advanced}</summary>
          {advanced.map(draw)}
        </details>
      )}
      <div className="actions">
        <FormSubmit form={form} label={channel ? words.save : words.create} />
        <button type="button" className="secondary" onClick={props.onDone}>
          {words.cancel}
        </button>
      </div>
    </form>
  );
}

function ConfigInput(props: { form: ServerForm<string>; scope: string; kind: ChannelKind; field: ConfigField; stored: boolean; value: string; onChange: (value: string) => void }) {
  const { field, value, onChange } = props;
  const words = useWords(channelsWords);
  const hint = hintOf(words.hints, props.kind, field.key);
  return (
    <Field scope={props.scope} form={props.form} name={`config.${field.key}`} label={words.fields[field.key] ?? field.key} hint={hint}>
      {(control) => {
        const common = { ...control, value, 'aria-required': field.required || undefined, onChange: (e: { target: { value: string } }) => onChange(e.target.value) };
        if (field.input === 'textarea') return <textarea {...common} rows={3} />;
        if (field.input !== 'secret') return <input {...common} type={field.input === 'number' ? 'text' : field.input} inputMode={field.input === 'number' ? 'decimal' : undefined} />;
        return (
          <span className="actions">
            {/* Write-only: never filled from the hub; blank on edit keeps the stored secret. A generated token is shown: it is pasted into the provider's console. */}
            <input {...common} type={field.generate ? 'text' : 'password'} autoComplete="new-password" placeholder={props.stored ? words.secretStored : words.secretNotStored} />
            {field.generate && (
              <button type="button" className="secondary" onClick={() => onChange(randomToken())}>
                {words.generate}
              </button>
            )}
          </span>
        );
      }}
    </Field>
  );
}
